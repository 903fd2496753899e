// Serial reads on the event-loop thread. serialport's unix binding reads with an async fs.read,
// which libuv runs on its thread pool: every chunk costs a hand-off to a worker thread and back,
// and each wait for data starts with one more such round trip that fails with EAGAIN. On a busy
// 2-core controller those thread wake-ups are where a telegram's latency tail grows. The binding
// opens the device O_NONBLOCK, so a read on the event-loop thread returns at once: read directly,
// and wait on the binding's own poller only when nothing is there.
import { readSync } from 'node:fs';
import { SerialPort } from 'serialport';

type Binding = typeof SerialPort.binding;
/** A port binding as `open` returns it; `read` is the one method replaced. */
type PortBinding = { read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> };
// Why untyped: the detected binding is a union of the Linux, Darwin and Windows types.
const detected = SerialPort.binding as unknown as { open(options: unknown): Promise<PortBinding> };

/** The parts of serialport's unix port binding that a direct read needs. */
interface UnixPortBinding {
  fd: number | null;
  isOpen: boolean;
  poller?: { once(event: 'readable', cb: (err?: Error | null) => void): unknown };
}

const WAIT_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** An error the stream treats as "closed on purpose" rather than a disconnect. */
function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

function readable(port: UnixPortBinding): Promise<void> {
  return new Promise((resolve, reject) => port.poller!.once('readable', (err) => (err ? reject(err) : resolve())));
}

/** Read what is there now, waiting on the poller while nothing is. Resolves with bytesRead > 0. */
export async function readDirect(port: UnixPortBinding, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    let bytesRead: number;
    try {
      bytesRead = readSync(port.fd, buffer, offset, length, null);
    } catch (e) {
      if (!WAIT_CODES.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await readable(port);
      continue;
    }
    // Why an error: a non-blocking tty with no data says EAGAIN; 0 is end of file (the line hung
    // up). The stream would end for good on 0; as an error it closes, and the link reconnects.
    if (bytesRead === 0) throw Object.assign(new Error('the serial device hung up'), { code: 'EOF' });
    return { bytesRead, buffer };
  }
}

/** Give an opened port binding the direct read where it is a unix binding (fd and poller). */
function withDirectRead(port: PortBinding): PortBinding {
  const unix = port as unknown as UnixPortBinding;
  if (typeof unix.fd !== 'number' || !unix.poller) return port; // Windows: keep serialport's read
  port.read = (buffer: Buffer, offset: number, length: number) => readDirect(unix, buffer, offset, length);
  return port;
}

/** serialport's detected binding, except that opened ports read on the event-loop thread. */
export const directReadBinding = {
  ...SerialPort.binding,
  open: async (options: unknown) => withDirectRead(await detected.open(options)),
} as unknown as Binding;

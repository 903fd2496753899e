// One open connection to a meter: a serial device (serialport) or a serial-over-TCP gateway.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { PortAddress, SerialSettings } from './address';
import { directReadBinding } from './direct-read';

/** An open byte stream to a meter. */
export interface Conn {
  readonly kind: 'serial' | 'tcp';
  /** The duplex stream carrying the meter's bytes. */
  readonly stream: Duplex;
  /** Write bytes (strings as latin1); resolves once handed to the OS and drained. */
  write(data: string | Buffer): Promise<void>;
  /** Change the baud rate of an open serial port; resolves false where the transport cannot (TCP). */
  setBaudRate(baudRate: number): Promise<boolean>;
  /** The current baud rate (serial), or null (TCP). */
  baudRate(): number | null;
  /** Close; resolves when closed. Idempotent. */
  close(): Promise<void>;
  /** Called once when the connection ends for any reason, with the error if it failed. */
  onClose(listener: (err?: Error) => void): void;
}

/** Open a connection; rejects with an Error whose message names the port. */
export function openConn(addr: PortAddress, serial: SerialSettings, connectTimeoutMs = 5000): Promise<Conn> {
  return addr.kind === 'serial' ? openSerial(addr.path, serial) : openTcp(addr.host, addr.port, connectTimeoutMs);
}

function named(err: unknown, where: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  // serialport says "Error: Permission denied, cannot open /dev/ttyUSB0": keep the cause only.
  let why = e.message.replace(/^Error: /, '').replace(/, cannot open \S+$/, '');
  if (/permission denied/i.test(why)) why += ' (is the user in the dialout group?)';
  const out = new Error(`cannot open ${where}: ${why}`);
  (out as NodeJS.ErrnoException).code = (e as NodeJS.ErrnoException).code;
  return out;
}

function onceClosed(emitter: NodeJS.EventEmitter, event: string, mapErr: (...a: unknown[]) => Error | undefined) {
  let fired = false;
  let result: Error | undefined;
  const listeners: Array<(err?: Error) => void> = [];
  emitter.once(event, (...a: unknown[]) => {
    fired = true;
    result = mapErr(...a);
    for (const l of listeners) l(result);
  });
  return (l: (err?: Error) => void) => (fired ? queueMicrotask(() => l(result)) : listeners.push(l));
}

async function openSerial(path: string, s: SerialSettings): Promise<Conn> {
  // `binding` is left out of SerialPort's option type but honoured: it replaces the detected one.
  const options = { path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits, autoOpen: false, binding: directReadBinding };
  const port = new SerialPort(options);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(named(err, path)) : resolve())));
  // Errors after open arrive on 'error' and are followed by 'close'; keep them from crashing the process.
  let lastError: Error | undefined;
  port.on('error', (err: Error) => {
    lastError = err;
  });
  const onClose = onceClosed(port, 'close', (err) => (err instanceof Error ? err : lastError));
  return {
    kind: 'serial',
    stream: port,
    write: (data) =>
      new Promise((resolve, reject) => {
        port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) => {
          if (err) return reject(err);
          port.drain((e) => (e ? reject(e) : resolve()));
        });
      }),
    setBaudRate: (baudRate) => new Promise((resolve, reject) => port.update({ baudRate }, (err) => (err ? reject(err) : resolve(true)))),
    baudRate: () => port.baudRate,
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
    onClose,
  };
}

async function openTcp(host: string, portNo: number, timeoutMs: number): Promise<Conn> {
  const where = `tcp://${host}:${portNo}`;
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host, port: portNo });
    const timer = setTimeout(() => {
      s.destroy();
      reject(named(new Error(`no answer within ${timeoutMs} ms`), where));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(named(err, where));
    });
  });
  sock.setNoDelay(true);
  // Keepalive notices a gateway that vanished without closing the connection (power loss).
  sock.setKeepAlive(true, 10_000);
  let lastError: Error | undefined;
  sock.on('error', (err) => {
    lastError = err;
  });
  const onClose = onceClosed(sock, 'close', () => lastError ?? new Error(`${where} closed the connection`));
  return {
    kind: 'tcp',
    stream: sock,
    write: (data) => new Promise((resolve, reject) => sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) => (err ? reject(err) : resolve()))),
    setBaudRate: async () => false,
    baudRate: () => null,
    close: () =>
      new Promise((resolve) => {
        if (sock.destroyed) return resolve();
        sock.once('close', () => resolve());
        sock.destroy();
      }),
    onClose,
  };
}

// A real pseudo-terminal pair from socat: the test writes the meter's bytes into `meterPath`,
// the code under test opens `hostPath`. Stopping socat makes both links vanish (an unplug);
// start() again with the same paths is the replug.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { waitFor } from './ports';

/** One socat pty pair with stable link paths. */
export class PtyPair {
  private proc: ChildProcess | null = null;
  private fd: number | null = null;

  constructor(
    /** The meter's end: tests write telegrams here. */
    readonly meterPath: string,
    /** The controller's end: the node / CLI under test opens this. */
    readonly hostPath: string,
  ) {}

  /** Start socat and wait until both links exist. */
  async start(): Promise<void> {
    if (this.proc) return;
    const p = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.meterPath}`, `pty,raw,echo=0,link=${this.hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    let log = '';
    p.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(() => log.includes('starting data transfer loop') || p.exitCode !== null, 5000, 10);
    if (p.exitCode !== null) throw new Error(`socat exited: ${log}`);
    await waitFor(() => existsSync(this.meterPath) && existsSync(this.hostPath), 5000, 10);
  }

  /**
   * Write bytes into the meter end (as latin1 for strings). Non-blocking: when nobody reads the
   * other end and the pty buffer is full, the rest is dropped (as on a real line) and false is
   * returned; a blocking write would freeze the test's event loop.
   */
  write(data: string | Buffer): boolean {
    if (this.fd === null) this.fd = openSync(this.meterPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
      throw e;
    }
    return true;
  }

  /** Stop socat (the unplug); resolves when it has exited and the links are gone. */
  async stop(): Promise<void> {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    // socat unlinks its links on SIGTERM; wait so a replug cannot race the removal.
    await waitFor(() => !existsSync(this.hostPath) && !existsSync(this.meterPath), 5000, 10);
  }
}

// Modbus RTU meters on a meter port: polls the register blocks of each ModbusMeter on the bus
// over a raw MeterLink (serial device or RS-485 gateway), one request at a time, and emits the same
// 'decoded' events as a telegram feed, so meter nodes, health and the CLI need not know which
// protocol is behind the port.
import { EventEmitter } from 'node:events';
import type { LineClock, MeterEvent } from '../../core/meter/events';
import type { ModbusMeter } from '../../core/meter/modbus-meter';
import type { LinkState, MeterLink } from './meter-link';

/** Default poll interval, ms. */
export const DEFAULT_MODBUS_POLL_MS = 1000;
/** Default time a slave has to answer, ms. */
export const DEFAULT_MODBUS_TIMEOUT_MS = 500;

/** Timing of the poll loop. */
export interface ModbusTiming {
  pollIntervalMs: number;
  responseTimeoutMs: number;
  /** The line's baud rate: sets the 3.5-character silence before each request. */
  baudRate: number;
}

/** The silence Modbus RTU needs between frames, ms: 3.5 characters of 11 bits, at least 1.75 ms (the spec's value above 19200 baud). */
export function interFrameGapMs(baudRate: number): number {
  return Math.max(1.75, (3.5 * 11 * 1000) / baudRate);
}

/** Time `bytes` take on the line, ms (11 bits a character: start, 8 data, parity or stop, stop). */
export function lineTimeMs(bytes: number, baudRate: number): number {
  return (bytes * 11 * 1000) / baudRate;
}

/** One outstanding request: the bytes gathered so far and how to tell the response is complete. */
interface Pending {
  chunks: Buffer[];
  length: number;
  expectLength: number;
  exceptionFn: number;
  finish: () => void;
}

/** Events: 'decoded' (MeterEvent), 'state' (LinkState), 'problem' (reason, Error). */
export class ModbusFeed extends EventEmitter {
  private pending: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private stopped = false;

  constructor(
    readonly link: MeterLink,
    /** The meters on the bus, polled in this order every round (one per slave id). */
    readonly meters: readonly ModbusMeter[],
    private readonly timing: ModbusTiming,
    private readonly clock: () => LineClock = () => ({ timeMs: Date.now(), monoMs: performance.now() }),
  ) {
    super();
    this.setMaxListeners(0);
    link.on('bytes', (chunk: Buffer) => this.onBytes(chunk));
    link.on('state', (s: LinkState) => {
      if (s.connected) this.startPolling();
      else this.stopPolling();
      this.emit('state', s);
    });
    link.on('problem', (reason: string, err: Error) => this.emit('problem', reason, err));
  }

  /** Whether the port is open right now. */
  get connected(): boolean {
    return this.link.isConnected;
  }

  /** Start the link; polling runs while it is connected. */
  open(): Promise<void> {
    this.stopped = false;
    return this.link.open();
  }

  /** Stop for good. */
  close(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    return this.link.close();
  }

  private startPolling(): void {
    if (this.timer || this.stopped) return;
    void this.pollOnce();
    this.timer = setInterval(() => void this.pollOnce(), this.timing.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pending?.finish();
  }

  /** One poll round: every meter on the bus in turn. */
  private async pollOnce(): Promise<void> {
    // Why skip: a round slower than the interval (slaves timing out) must not queue up behind itself.
    if (this.polling) return;
    this.polling = true;
    try {
      for (const meter of this.meters) {
        const ev = await this.pollMeter(meter);
        if (!ev || !this.link.isConnected || this.stopped) return;
        this.emit('decoded', ev);
      }
    } catch (e) {
      if (this.link.isConnected) this.emit('problem', 'poll_failed', e as Error);
    } finally {
      this.polling = false;
    }
  }

  /** Every block of one meter in turn: a reading once all answered, else one rejection (null: the link went). */
  private async pollMeter(meter: ModbusMeter): Promise<MeterEvent | null> {
    const requests = meter.requests();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < requests.length; i++) {
      const frame = await this.transact(requests[i], meter.responseLength(i), meter.profile.function);
      if (!this.link.isConnected || this.stopped) return null;
      if (frame.length === 0) {
        return { ok: false, reason: 'truncated', detail: `no response from Modbus slave ${meter.profile.slave} within ${this.timing.responseTimeoutMs} ms`, meterId: meter.meterId };
      }
      frames.push(frame);
      // A short frame (partial, or an exception answer) fails the whole poll; decode() names why.
      if (frame.length < meter.responseLength(i)) break;
    }
    return meter.decode(frames, this.clock());
  }

  /**
   * Send one request; resolves with the response bytes (complete, partial at the timeout, or none).
   * Why the line time is added: at 9600 baud a 76-register answer alone takes 160 ms on the wire,
   * at 2400 baud over 600 ms; the configured timeout is the slave's time to answer on top of that.
   */
  private async transact(request: Uint8Array, expectLength: number, fn: 3 | 4): Promise<Buffer> {
    await new Promise((r) => setTimeout(r, Math.ceil(interFrameGapMs(this.timing.baudRate))));
    return new Promise<Buffer>((resolve, reject) => {
      let timeout: NodeJS.Timeout | null = null;
      const p: Pending = {
        chunks: [],
        length: 0,
        expectLength,
        exceptionFn: fn | 0x80,
        finish: () => {
          if (this.pending !== p) return;
          this.pending = null;
          if (timeout) clearTimeout(timeout);
          resolve(Buffer.concat(p.chunks, p.length));
        },
      };
      // Bytes from before this request (a late answer to the last one, line noise) are not its answer.
      this.pending = p;
      timeout = setTimeout(p.finish, this.timing.responseTimeoutMs + lineTimeMs(request.length + expectLength, this.timing.baudRate));
      this.link.write(Buffer.from(request.buffer, request.byteOffset, request.byteLength)).catch((e: Error) => {
        if (this.pending === p) {
          this.pending = null;
          if (timeout) clearTimeout(timeout);
        }
        reject(e);
      });
    });
  }

  private onBytes(chunk: Buffer): void {
    const p = this.pending;
    if (!p) return; // nobody asked: noise or a late answer after a timeout
    p.chunks.push(chunk);
    p.length += chunk.length;
    const first = p.chunks[0];
    const fn = first.length >= 2 ? first[1] : p.length >= 2 ? Buffer.concat(p.chunks, 2)[1] : -1;
    if (p.length >= p.expectLength || (fn === p.exceptionFn && p.length >= 5)) p.finish();
  }
}

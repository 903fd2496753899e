// A reconnecting line source for one meter port: opens the serial device or TCP gateway,
// splits the bytes into lines with @serialport/parser-readline, sends poll requests or IEC
// mode C sign-ons, and reopens with exponential backoff after an unplug or gateway reboot.
import { EventEmitter } from 'node:events';
import { realpath } from 'node:fs/promises';
import { ReadlineParser } from '@serialport/parser-readline';
import type { ByteSource } from '../ports';
import type { PortAddress, SerialSettings } from './address';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { openConn, type Conn } from './conn';
import { modeCHandshake, type HandshakeResult } from './handshake';
import { isIdentLine } from './iec-mode-c';
import { feedLines } from './line-feed';

/** How a meter link talks to its meter. */
export interface MeterLinkOptions {
  address: PortAddress;
  serial: SerialSettings;
  /** push: the meter sends on its own; poll: a request goes out every interval. */
  mode: 'push' | 'poll';
  /** Poll interval, ms (poll mode). */
  pollIntervalMs?: number;
  /** The poll request (poll mode without handshake), sent as latin1. */
  request?: string;
  /** iec-mode-c: sign on before each poll (poll mode) or once per connection (push mode). */
  handshake?: 'none' | 'iec-mode-c';
  /** Mode C: switch to the baud rate the meter offers (default true; serial only). */
  switchBaud?: boolean;
  backoff?: BackoffOptions;
  /** Reconnect when no byte arrives for this long, ms (0/undefined: never); for half-open TCP. */
  idleTimeoutMs?: number;
  /** Check every this many ms that the device file still exists and is the same device (serial; default 1000, 0 = off). */
  presenceCheckMs?: number;
  /** A "line" longer than this many bytes is noise: dropped and counted (default 64 KiB). */
  maxLineBytes?: number;
  /** Emit the bytes as they come ('bytes' events) instead of lines: for binary protocols (Modbus RTU). */
  raw?: boolean;
  random?: () => number;
}

/** A connection state change. */
export interface LinkState {
  connected: boolean;
  /** Why the link is down (open failure or loss). */
  error?: Error;
}

/** Events: 'line' (line without '\n') or, when raw, 'bytes' (Buffer); 'state' (LinkState), 'handshake' (HandshakeResult), 'problem' (reason, Error). */
export class MeterLink extends EventEmitter implements ByteSource {
  private conn: Conn | null = null;
  private stopped = true;
  private attempt = 0;
  private connected: boolean | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  private lastByteMono = 0;
  /** Bytes received since the last complete line. */
  private pendingBytes = 0;
  private polling = false;
  private identWaiter: ((line: string) => void) | null = null;
  private firstOpen: { resolve: () => void; reject: (e: Error) => void } | null = null;

  /** Why the link is down, while it is down. */
  lastError: Error | null = null;

  constructor(readonly opts: MeterLinkOptions) {
    super();
  }

  /** Whether the port is open right now. */
  get isConnected(): boolean {
    return this.connected === true;
  }

  /** The open serial port's baud rate right now, or null (TCP, or not open). */
  get baudRate(): number | null {
    return this.conn ? this.conn.baudRate() : null;
  }

  /** Start; resolves on the first successful open, rejects on the first failure (retries go on until close()). */
  open(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    return new Promise((resolve, reject) => {
      this.firstOpen = { resolve, reject };
      void this.attemptOpen();
    });
  }

  /** Write to the meter; rejects when the port is not open. */
  async write(data: Buffer | string): Promise<void> {
    if (!this.conn) throw new Error('meter port is not open');
    await this.conn.write(data);
  }

  /** Stop for good: no reconnection after this. */
  async close(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.conn;
    this.conn = null;
    if (c) await c.close();
  }

  private async attemptOpen(): Promise<void> {
    this.retryTimer = null;
    let conn: Conn;
    try {
      conn = await openConn(this.opts.address, this.opts.serial);
    } catch (e) {
      this.settleFirst(e as Error);
      this.setState(false, e as Error);
      this.scheduleRetry();
      return;
    }
    if (this.stopped) {
      await conn.close();
      return;
    }
    this.attach(conn);
  }

  private attach(conn: Conn): void {
    this.conn = conn;
    this.lastByteMono = performance.now();
    this.pendingBytes = 0;
    if (this.opts.raw) conn.stream.on('data', (chunk: Buffer) => this.onBytes(chunk));
    else conn.stream.on('data', this.lineSplitter());
    conn.onClose((err) => {
      if (this.conn !== conn) return;
      this.conn = null;
      this.clearTimers();
      this.setState(false, err ?? new Error('port closed'));
      if (!this.stopped) this.scheduleRetry();
    });
    this.settleFirst();
    this.setState(true);
    this.startTraffic(conn);
    void this.watchPresence(conn);
  }

  /**
   * Why: a hung-up pty or a re-enumerated USB adapter does not always fail the pending read
   * (the binding may read 0 bytes forever), so the device file itself is watched: gone, or
   * now another device behind the same name, means this connection is dead.
   */
  private async watchPresence(conn: Conn): Promise<void> {
    const every = this.opts.presenceCheckMs ?? 1000;
    if (this.opts.address.kind !== 'serial' || every <= 0) return;
    const devPath = this.opts.address.path;
    const original = await realpath(devPath).catch(() => null);
    if (this.conn !== conn) return;
    this.presenceTimer = setInterval(() => {
      realpath(devPath).then(
        (now) => now === original,
        () => false,
      ).then((same) => {
        if (same || this.conn !== conn) return;
        this.emit('problem', 'device_gone', new Error(`${devPath} disappeared`));
        void conn.close();
      });
    }, every);
  }

  private onBytes(chunk: Buffer): void {
    this.lastByteMono = performance.now();
    this.emit('bytes', chunk);
  }

  /** A 'data' listener that feeds one connection's bytes through a fresh readline parser. */
  private lineSplitter(): (chunk: Buffer) => void {
    const maxLine = this.opts.maxLineBytes ?? 65536;
    let parser = this.newParser();
    let etxSeen = false;
    return (chunk: Buffer) => {
      this.lastByteMono = performance.now();
      this.pendingBytes += chunk.length;
      // Why: the readline parser buffers without bound until it sees '\n'; a stream of noise
      // (wrong baud rate) would grow it forever.
      if (this.pendingBytes > maxLine) {
        parser.destroy();
        parser = this.newParser();
        this.pendingBytes = 0;
        etxSeen = false;
        this.emit('problem', 'line_too_long', new Error(`more than ${maxLine} bytes without a line end`));
        return;
      }
      etxSeen = feedLines(parser, chunk, etxSeen);
    };
  }

  private newParser(): ReadlineParser {
    const parser = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
    parser.on('data', (line: string) => this.onLine(line));
    return parser;
  }

  private onLine(line: string): void {
    this.pendingBytes = 0;
    // A working line resets the backoff: a port that opens but never delivers keeps backing off.
    this.attempt = 0;
    if (this.identWaiter && isIdentLine(line)) {
      const w = this.identWaiter;
      this.identWaiter = null;
      w(line);
    }
    this.emit('line', line);
  }

  private startTraffic(conn: Conn): void {
    const { mode, handshake, idleTimeoutMs } = this.opts;
    if (mode === 'poll') {
      const every = Math.max(100, this.opts.pollIntervalMs ?? 10_000);
      void this.pollOnce(conn);
      this.pollTimer = setInterval(() => void this.pollOnce(conn), every);
    } else if (handshake === 'iec-mode-c') {
      void this.pollOnce(conn);
    }
    if (idleTimeoutMs && idleTimeoutMs > 0) {
      this.idleTimer = setInterval(() => {
        if (performance.now() - this.lastByteMono < idleTimeoutMs) return;
        this.emit('problem', 'idle_timeout', new Error(`no data for ${idleTimeoutMs} ms, reconnecting`));
        void conn.close();
      }, Math.min(idleTimeoutMs, 5000));
    }
  }

  private async pollOnce(conn: Conn): Promise<void> {
    if (this.polling || this.conn !== conn) return;
    this.polling = true;
    try {
      if (this.opts.handshake === 'iec-mode-c') {
        const result: HandshakeResult = await modeCHandshake(conn, (ms) => this.waitIdent(ms), 3000, this.opts.switchBaud ?? true);
        this.emit('handshake', result);
      } else {
        await conn.write(this.opts.request ?? '/?!\r\n');
      }
    } catch (e) {
      if (this.conn === conn) this.emit('problem', this.opts.handshake === 'iec-mode-c' ? 'handshake_failed' : 'poll_failed', e as Error);
    } finally {
      this.identWaiter = null;
      this.polling = false;
    }
  }

  private waitIdent(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.identWaiter = null;
        reject(new Error(`no identification from the meter within ${timeoutMs} ms`));
      }, timeoutMs);
      this.identWaiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelayMs(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random);
    this.retryTimer = setTimeout(() => void this.attemptOpen(), delay);
  }

  private setState(connected: boolean, error?: Error): void {
    this.lastError = connected ? null : (error ?? null);
    // Report transitions only: a device that stays missing is one disconnection, not one per retry.
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit('state', { connected, error } satisfies LinkState);
  }

  private settleFirst(err?: Error): void {
    const f = this.firstOpen;
    this.firstOpen = null;
    if (!f) return;
    if (err) f.reject(err);
    else f.resolve();
  }

  private clearTimers(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.pollTimer = this.idleTimer = this.presenceTimer = null;
  }
}

// The outbox pump: publishes outbox records QoS 1 in seq order through a bounded window,
// rate-limited, and removes them from the outbox ONLY on the backend's {"ack":[ids]}.
import { EventEmitter } from 'node:events';
import type { Outbox } from '../ports';
import { parseAck } from '../../core/sync/ack';
import type { AckVerdict } from '../../core/sync/ack-auth';
import { TokenBucket, type TokenBucketOptions } from '../../core/sync/token-bucket';
import { DEFAULT_WINDOW, SendWindow, type InFlight, type WindowOptions } from '../../core/sync/window';

/** What the pump needs of a connection (UplinkClient implements it). */
export interface PumpLink {
  readonly connected: boolean;
  readonly topics: { sessions: string; acks: string };
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  subscribe(topic: string, qos: 0 | 1, handler: (payload: Buffer) => void): void;
  unsubscribe(topic: string): void;
  on(event: 'connect' | 'offline', listener: () => void): unknown;
  off(event: 'connect' | 'offline', listener: () => void): unknown;
}

/** Pump tuning. */
export interface PumpOptions extends Partial<WindowOptions> {
  /** Replay rate limit; default 100 records/s with bursts of 50. */
  rate?: TokenBucketOptions;
  /** Most publications awaiting PUBACK at once (stay under the broker's receive maximum). */
  maxPubackPending?: number;
  /** Safety-net poll of the outbox, ms, for appends nobody told us about. */
  pollMs?: number;
  /** Clock, ms. */
  now?: () => number;
  /** The trust check for acks (an AckGuard); without one any well-formed ack is taken (test benches only). */
  ackGuard?: { check(payload: Buffer): AckVerdict; readonly flooded?: boolean };
  /** First pause of the acks subscription during a flood, ms (doubles per flood in a row, up to 5 min). Default 10 s. */
  floodPauseMs?: number;
}

/** Default replay rate: gentle on a mobile link. */
export const DEFAULT_RATE: TokenBucketOptions = { ratePerS: 100, burst: 50 };

/**
 * Events: 'backlog' (size after a change), 'acked' (number removed), 'sent' (InFlight),
 * 'refused' (AckVerdict of a refused ack: nothing was removed), 'acks-paused' (ms: the acks
 * subscription is paused during a flood), 'acks-resumed', 'error'.
 */
export class OutboxPump extends EventEmitter {
  private readonly window: SendWindow;
  private readonly bucket: TokenBucket;
  private readonly now: () => number;
  private readonly maxPending: number;
  private pending = 0;
  private pendingWaiters: Array<() => void> = [];
  private running = false;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private sleepWake: (() => void) | null = null;
  private ackChain: Promise<void> = Promise.resolve();
  private ackPause: NodeJS.Timeout | null = null;
  private nextPauseMs = 0;
  private lastFloodEndMs = 0;
  /** Connection epoch: PUBACK callbacks of a dropped connection may never fire, so they must not count. */
  private epoch = 0;
  private readonly onConnect = (): void => {
    this.releasePending();
    this.window.reset();
    this.kick();
  };
  private readonly onOffline = (): void => this.releasePending();

  constructor(private readonly link: PumpLink, private readonly outbox: Outbox, private readonly opts: PumpOptions = {}) {
    super();
    this.window = new SendWindow({ ...DEFAULT_WINDOW, ...pick(opts) });
    this.now = opts.now ?? Date.now;
    this.bucket = new TokenBucket(opts.rate ?? DEFAULT_RATE, this.now());
    this.maxPending = opts.maxPubackPending ?? 16;
  }

  /** Records published and not yet acknowledged. */
  get inFlight(): number {
    return this.window.size;
  }

  /** Subscribe to acks and start pumping whenever connected. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.subscribeAcks();
    this.link.on('connect', this.onConnect);
    this.link.on('offline', this.onOffline);
    this.poll = setInterval(() => this.kick(), this.opts.pollMs ?? 5000);
    this.poll.unref?.();
    this.kick();
  }

  /** Stop pumping (the outbox keeps everything not acknowledged). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.link.off('connect', this.onConnect);
    this.link.off('offline', this.onOffline);
    this.releasePending();
    if (this.ackPause) clearTimeout(this.ackPause);
    else this.link.unsubscribe(this.link.topics.acks);
    this.ackPause = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.sleepWake?.();
    await this.ackChain;
  }

  /** Something may have been appended or acknowledged: run the pump soon. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run()
      .catch((e) => this.emit('error', e))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  private async run(): Promise<void> {
    // A run belongs to one connection: after a reconnection the window restarts from the outbox
    // head, and records this run had taken must not go out ahead of it (that would break order).
    const epoch = this.epoch;
    while (!this.stopped && this.link.connected && epoch === this.epoch) {
      let sent = 0;
      for (const f of this.window.takeDue(this.now(), this.window.opts.batchSize)) if (await this.send(f, epoch)) sent++;
      const read = this.window.nextRead();
      if (read && epoch === this.epoch) {
        const entries = await this.outbox.peek(read.limit, read.afterSeq);
        if (epoch !== this.epoch) break;
        for (const f of this.window.admit(entries, this.now())) if (await this.send(f, epoch)) sent++;
      }
      if (sent === 0) break;
    }
  }

  /** Resend timer: wake when the earliest in-flight record times out. */
  private schedule(): void {
    if (this.stopped || this.timer) return;
    const deadline = this.window.nextDeadlineMs();
    if (deadline === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.max(10, deadline - this.now()));
  }

  private async send(f: InFlight, epoch: number): Promise<boolean> {
    const live = (): boolean => !this.stopped && this.link.connected && epoch === this.epoch;
    // Rate limit: wait for a token (an outage backlog must not flood the link on reconnect).
    for (let wait = this.bucket.waitMs(this.now()); wait > 0; wait = this.bucket.waitMs(this.now())) {
      await this.sleep(wait);
      if (!live()) return false;
    }
    if (!live() || !this.bucket.take(this.now())) return false;
    while (this.pending >= this.maxPending && live()) await new Promise<void>((r) => this.pendingWaiters.push(r));
    if (!live()) return false;
    f.sentAtMs = this.now();
    this.pending++;
    this.link
      .publish(this.link.topics.sessions, f.payload, { qos: 1 })
      // A failed publish stays in the window and goes out again after the timeout or reconnection.
      .catch(() => undefined)
      .finally(() => {
        if (epoch !== this.epoch) return;
        this.pending--;
        this.pendingWaiters.shift()?.();
      });
    this.emit('sent', f);
    return true;
  }

  private releasePending(): void {
    this.epoch++;
    this.pending = 0;
    const waiters = this.pendingWaiters;
    this.pendingWaiters = [];
    for (const w of waiters) w();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.sleepWake = done;
    });
  }

  private subscribeAcks(): void {
    this.link.subscribe(this.link.topics.acks, 1, (payload) => this.onAck(payload));
  }

  /**
   * Stop listening for acks a while: the broker then drops the flood instead of sending it, so it
   * costs neither CPU nor memory. Real acks of that time are lost too, which loses nothing: the
   * records are resent after the ack timeout and acknowledged again.
   */
  private pauseAcks(): void {
    if (this.ackPause || this.stopped) return;
    const first = this.opts.floodPauseMs ?? 10_000;
    this.nextPauseMs = this.now() - this.lastFloodEndMs < 60_000 ? Math.min(Math.max(this.nextPauseMs * 2, first), 300_000) : first;
    this.link.unsubscribe(this.link.topics.acks);
    this.emit('acks-paused', this.nextPauseMs);
    this.ackPause = setTimeout(() => {
      this.ackPause = null;
      this.lastFloodEndMs = this.now();
      if (this.stopped) return;
      this.subscribeAcks();
      this.emit('acks-resumed');
    }, this.nextPauseMs);
    this.ackPause.unref?.();
  }

  private onAck(payload: Buffer): void {
    if (this.ackPause) return; // messages already in the pipe when we unsubscribed
    const verdict: AckVerdict = this.opts.ackGuard ? this.opts.ackGuard.check(payload) : unguarded(payload);
    if (!verdict.ok) {
      this.emit('refused', verdict);
      if (this.opts.ackGuard?.flooded) this.pauseAcks();
      return;
    }
    const parsed = verdict;
    // Acks are applied one after another so backlog figures stay monotonic.
    this.ackChain = this.ackChain.then(async () => {
      try {
        const removed = await this.outbox.ack(parsed.ids);
        this.window.acked(parsed.ids);
        this.emit('acked', removed);
        this.emit('backlog', await this.outbox.size());
      } catch (e) {
        this.emit('error', e);
      }
      this.kick();
    });
  }
}

/** Shape check only: for a pump without a guard. */
function unguarded(payload: Buffer): AckVerdict {
  const p = parseAck(payload);
  return p.ok ? { ok: true, ids: p.ids } : { ok: false, refusal: 'malformed', reason: p.reason };
}

function pick(o: PumpOptions): Partial<WindowOptions> {
  const w: Partial<WindowOptions> = {};
  if (o.maxInFlight !== undefined) w.maxInFlight = o.maxInFlight;
  if (o.batchSize !== undefined) w.batchSize = o.batchSize;
  if (o.ackTimeoutMs !== undefined) w.ackTimeoutMs = o.ackTimeoutMs;
  return w;
}

// The station's gate for acks: size, rate and signature checks before anything touches the outbox.
import { MAX_ACK_BYTES, parseAck } from '../../core/sync/ack';
import { checkAck, type AckRefusal, type AckSignatureCheck, type AckVerdict } from '../../core/sync/ack-auth';
import { TokenBucket, type TokenBucketOptions } from '../../core/sync/token-bucket';

/** Guard tuning. */
export interface AckGuardOptions {
  stationId: string;
  /** Signature check against the backend's keys; null accepts unsigned acks (test benches only). */
  verify: AckSignatureCheck | null;
  /** Largest accepted |ack ts − station clock|, ms; default 1 h. */
  maxSkewMs?: number;
  /** Ack messages per second taken in; the rest are dropped unparsed. Default 200/s, bursts of 400. */
  rate?: TokenBucketOptions;
  /** Ack bytes per second taken in (parsing is what a flood costs). Default 1 MiB/s, bursts of 2 MiB. */
  byteRate?: TokenBucketOptions;
  now?: () => number;
}

/**
 * Default intake: far above what a backend sends (a receiver acks up to 1000 ids, about 40 kB, per
 * message, once per fsync), so a real ack is never dropped for rate, yet a flood of forged acks
 * costs at most a few per cent of a core. A dropped ack loses nothing: the record is resent and acked again.
 */
export const DEFAULT_ACK_RATE: TokenBucketOptions = { ratePerS: 200, burst: 400 };

/** Messages dropped for rate within one second that count as a flood. */
export const FLOOD_THRESHOLD = 20;

/** Default intake of ack bytes. */
export const DEFAULT_ACK_BYTE_RATE: TokenBucketOptions = { ratePerS: 1024 * 1024, burst: 2 * 1024 * 1024 };

/**
 * Decides per ack message. Refusals are counted by reason (telemetry) and never throw.
 * Why the rate check comes first: a flood must cost no parsing and no signature checks.
 */
export class AckGuard {
  /** Refused ack messages by reason since start. */
  readonly refused: Partial<Record<AckRefusal, number>> = {};
  /** Accepted ack messages since start. */
  accepted = 0;
  private readonly bucket: TokenBucket;
  /** Rate-limited messages in the current one-second window, and its start. */
  private limitedInWindow = 0;
  private windowStartMs = 0;
  private readonly bytes: TokenBucket;
  private readonly now: () => number;

  constructor(private readonly opts: AckGuardOptions) {
    this.now = opts.now ?? Date.now;
    this.bucket = new TokenBucket(opts.rate ?? DEFAULT_ACK_RATE, this.now());
    this.bytes = new TokenBucket(opts.byteRate ?? DEFAULT_ACK_BYTE_RATE, this.now());
  }

  /** Whether unsigned acks are accepted. */
  get unauthenticated(): boolean {
    return this.opts.verify === null;
  }

  /** The verdict on one raw ack payload. */
  check(payload: Buffer): AckVerdict {
    const nowMs = this.now();
    // An oversized message takes no byte tokens: it is refused unparsed anyway.
    const size = Math.min(payload.length, MAX_ACK_BYTES + 1);
    const v: AckVerdict = this.bucket.take(nowMs) && this.bytes.take(nowMs, size)
      ? checkAck(parseAck(payload), { stationId: this.opts.stationId, nowMs, maxSkewMs: this.opts.maxSkewMs ?? 3_600_000, verify: this.opts.verify })
      : { ok: false, refusal: 'rate_limited', reason: 'more ack messages than the intake rate allows' };
    if (v.ok) this.accepted++;
    else this.refused[v.refusal] = (this.refused[v.refusal] ?? 0) + 1;
    if (nowMs - this.windowStartMs >= 1000) {
      this.windowStartMs = nowMs;
      this.limitedInWindow = 0;
    }
    if (!v.ok && v.refusal === 'rate_limited') this.limitedInWindow++;
    return v;
  }

  /**
   * True while more than FLOOD_THRESHOLD messages were dropped for rate within the last second:
   * then even receiving them costs more than they could be worth, and the pump stops listening a while.
   */
  get flooded(): boolean {
    return this.limitedInWindow > FLOOD_THRESHOLD && this.now() - this.windowStartMs < 1000;
  }
}

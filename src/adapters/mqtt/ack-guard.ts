// The station's gate for acks: size, rate and signature checks before anything touches the outbox.
import { parseAck } from '../../core/sync/ack';
import { checkAck, type AckRefusal, type AckSignatureCheck, type AckVerdict } from '../../core/sync/ack-auth';
import { TokenBucket, type TokenBucketOptions } from '../../core/sync/token-bucket';

/** Guard tuning. */
export interface AckGuardOptions {
  stationId: string;
  /** Signature check against the backend's keys; null accepts unsigned acks (test benches only). */
  verify: AckSignatureCheck | null;
  /** Largest accepted |ack ts − station clock|, ms; default 1 h. */
  maxSkewMs?: number;
  /** Ack messages per second taken in; the rest are dropped unparsed. Default 20/s, bursts of 40. */
  rate?: TokenBucketOptions;
  now?: () => number;
}

/** Default intake rate: a real backend acks in batches, far below this. */
export const DEFAULT_ACK_RATE: TokenBucketOptions = { ratePerS: 20, burst: 40 };

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
  private readonly now: () => number;

  constructor(private readonly opts: AckGuardOptions) {
    this.now = opts.now ?? Date.now;
    this.bucket = new TokenBucket(opts.rate ?? DEFAULT_ACK_RATE, this.now());
  }

  /** Whether unsigned acks are accepted. */
  get unauthenticated(): boolean {
    return this.opts.verify === null;
  }

  /** The verdict on one raw ack payload. */
  check(payload: Buffer): AckVerdict {
    const nowMs = this.now();
    const v: AckVerdict = this.bucket.take(nowMs)
      ? checkAck(parseAck(payload), { stationId: this.opts.stationId, nowMs, maxSkewMs: this.opts.maxSkewMs ?? 3_600_000, verify: this.opts.verify })
      : { ok: false, refusal: 'rate_limited', reason: 'more ack messages than the intake rate allows' };
    if (v.ok) this.accepted++;
    else this.refused[v.refusal] = (this.refused[v.refusal] ?? 0) + 1;
    return v;
  }
}

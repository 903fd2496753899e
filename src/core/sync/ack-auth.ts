// Deciding whether an ack may remove records: the station's trust boundary towards the backend.
import { ackSignedText, type AckParse } from './ack';

/** Why an ack was refused; each reason is counted and shown in telemetry. */
export type AckRefusal = 'malformed' | 'too_large' | 'rate_limited' | 'unsigned' | 'foreign_station' | 'stale' | 'bad_signature';

/** Checks a signature over the signed text: true only for a valid signature by a trusted backend key. */
export type AckSignatureCheck = (signedText: string, sigBase64: string) => boolean;

/** What the check needs to know. */
export interface AckAuthContext {
  /** This station's id: acks must name it. */
  stationId: string;
  /** Station wall clock, ms. */
  nowMs: number;
  /** Largest accepted difference between the ack's `ts` and the station clock, ms. */
  maxSkewMs: number;
  /** Signature check against the backend's keys; `null` means unsigned acks are accepted (test benches only). */
  verify: AckSignatureCheck | null;
}

/** The verdict on one parsed ack. */
export type AckVerdict = { ok: true; ids: string[] } | { ok: false; refusal: AckRefusal; reason: string };

/**
 * An ack removes records only when it is signed by a trusted backend key, names this station and
 * is recent. Why recent: a replayed old ack is harmless for ids already removed, but the window
 * keeps a captured ack from being useful later (ids are never reused, this is defence in depth).
 */
export function checkAck(parsed: AckParse, ctx: AckAuthContext): AckVerdict {
  if (!parsed.ok) return { ok: false, refusal: parsed.reason.startsWith('larger than') ? 'too_large' : 'malformed', reason: parsed.reason };
  if (ctx.verify === null) return { ok: true, ids: parsed.ids };
  const a = parsed.auth;
  if (!a) return { ok: false, refusal: 'unsigned', reason: 'the ack carries no signature' };
  if (a.stationId !== ctx.stationId) return { ok: false, refusal: 'foreign_station', reason: `the ack is for station ${JSON.stringify(a.stationId.slice(0, 64))}` };
  if (Math.abs(a.ts - ctx.nowMs) > ctx.maxSkewMs) return { ok: false, refusal: 'stale', reason: `the ack's time is ${Math.round((ctx.nowMs - a.ts) / 1000)} s from the station clock` };
  if (!ctx.verify(ackSignedText(a.stationId, a.ts, parsed.ids), a.sig)) return { ok: false, refusal: 'bad_signature', reason: 'the signature does not verify with the backend key' };
  return { ok: true, ids: [...new Set(parsed.ids)] };
}

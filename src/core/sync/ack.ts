// The backend's end-to-end acknowledgement on `<prefix>/<stationId>/acks`:
// `{"ack": ["<id>", ...], "stationId": "...", "ts": <ms>, "keyId": "...", "sig": "<base64 DER>"}`.
// The signature (ECDSA P-256, SHA-256) covers `ackSignedText(stationId, ts, ids)`.
import { canonicalJson } from '../ledger/canonical';

/** Upper bound on ids per ack message: a receiver splits larger acks, and a hostile message cannot make us allocate without bound. */
export const MAX_ACK_IDS = 1000;

/** Upper bound on an ack message's size in bytes, checked before it is parsed. */
export const MAX_ACK_BYTES = 128 * 1024;

/** The signature part of an ack. */
export interface AckAuth {
  /** The station the ack is for: an ack for another station is refused. */
  stationId: string;
  /** Backend wall-clock time of signing, ms since the epoch (against replay). */
  ts: number;
  /** Id of the backend key that signed (first 16 hex digits of SHA-256 over its SPKI DER); informative. */
  keyId?: string;
  /** Base64 DER ECDSA signature over `ackSignedText(stationId, ts, ack)`. */
  sig: string;
}

/** A parsed ack, or why the message was refused. */
export type AckParse = { ok: true; ids: string[]; auth?: AckAuth } | { ok: false; reason: string };

/** Parse and validate an ack message (raw MQTT payload or string). Duplicate ids are collapsed. */
export function parseAck(raw: Buffer | string): AckParse {
  if (raw.length > MAX_ACK_BYTES) return { ok: false, reason: `larger than ${MAX_ACK_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const v = value as { ack?: unknown; stationId?: unknown; ts?: unknown; keyId?: unknown; sig?: unknown };
  const ack = v.ack;
  if (!Array.isArray(ack)) return { ok: false, reason: '"ack" must be an array of ids' };
  if (ack.length > MAX_ACK_IDS) return { ok: false, reason: `more than ${MAX_ACK_IDS} ids` };
  for (const id of ack) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) return { ok: false, reason: 'every id must be a non-empty string of at most 256 characters' };
  }
  const ids = [...new Set(ack as string[])];
  if (v.sig === undefined) return { ok: true, ids };
  if (typeof v.sig !== 'string' || typeof v.stationId !== 'string' || typeof v.ts !== 'number' || !Number.isSafeInteger(v.ts)) {
    return { ok: false, reason: 'a signed ack needs "stationId" (string), "ts" (integer ms) and "sig" (base64)' };
  }
  const auth: AckAuth = { stationId: v.stationId, ts: v.ts, sig: v.sig };
  if (typeof v.keyId === 'string') auth.keyId = v.keyId;
  return { ok: true, ids: ack as string[], auth };
}

/** The exact text a backend signs for an ack: canonical JSON of `{ack, stationId, ts}` with the ids as sent. */
export function ackSignedText(stationId: string, ts: number, ids: string[]): string {
  return canonicalJson({ ack: ids, stationId, ts });
}

/** Serialise an ack message; with `auth`, a signed one. */
export function formatAck(ids: string[], auth?: AckAuth): string {
  return auth ? JSON.stringify({ ack: ids, stationId: auth.stationId, ts: auth.ts, ...(auth.keyId ? { keyId: auth.keyId } : {}), sig: auth.sig }) : JSON.stringify({ ack: ids });
}

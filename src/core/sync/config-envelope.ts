// Downstream configuration envelope on `<prefix>/<stationId>/config/{tariffs,limits}`
// (schemas/config-envelope.schema.json). This checks the envelope; the payload's own schema
// (tariff or limits) is checked by the adapter with ajv.
import { canonicalJson } from '../ledger/canonical';
import type { ConfigKind } from './topics';

/** A configuration update as the backend sends it. */
export interface ConfigEnvelope {
  /** The station the update is meant for; must equal ours. */
  stationId: string;
  /** Monotonic version of this configuration kind, integer >= 1; must exceed the stored one. */
  version: number;
  /** The configuration itself (a tariff set or site limits). */
  payload: Record<string, unknown>;
  /** When the backend issued it, ISO 8601 (informative; required for a reset). */
  issuedAt?: string;
  /** Start the version sequence again at `version` (a station locked out by a far-ahead version). Must be signed. */
  reset?: boolean;
  /** Base64 DER ECDSA P-256 signature by the backend key over `configSignedText(envelope)`. */
  sig?: string;
}

/**
 * Largest step from the stored version to the next one. Why: one mistaken (or hostile) version
 * near 2^53 would otherwise make every later update "stale" for ever; a step of 10^12 still
 * allows date-based versions (yyyymmddhhmm) from a fresh station.
 */
export const MAX_VERSION_STEP = 1_000_000_000_000;

/** Largest |issuedAt − station clock| for a signed reset, ms. */
export const RESET_MAX_SKEW_MS = 3_600_000;

/** The exact text the backend signs for a config envelope: canonical JSON of everything but `sig`. */
export function configSignedText(e: Omit<ConfigEnvelope, 'sig'> & { sig?: string }): string {
  const { sig: _sig, ...rest } = e;
  void _sig;
  return canonicalJson(rest);
}

/** Default upper bound on a config message, bytes. */
export const DEFAULT_MAX_CONFIG_BYTES = 256 * 1024;

/** What the station expects of the next envelope. */
export interface EnvelopeExpectation {
  stationId: string;
  /** Version currently applied, or 0 if none. */
  currentVersion: number;
  /** Largest accepted message, bytes. */
  maxBytes: number;
  /** Signature check against the backend key (for resets); absent: resets are refused. */
  verify?: (signedText: string, sigBase64: string) => boolean;
  /** Station wall clock, ms (for resets). */
  nowMs?: number;
}

/** A checked envelope, or why it was refused (with the version when one could be read). */
export type EnvelopeCheck = { ok: true; envelope: ConfigEnvelope } | { ok: false; reason: string; version?: number };

/** Check size, JSON, shape, station id and version of a config message. */
export function checkEnvelope(raw: Buffer | string, expect: EnvelopeExpectation): EnvelopeCheck {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > expect.maxBytes) return { ok: false, reason: `too large: ${bytes} bytes > ${expect.maxBytes}` };
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed: not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'malformed: not an object' };
  const v = value as Record<string, unknown>;
  const version = Number.isSafeInteger(v.version) && (v.version as number) >= 1 ? (v.version as number) : undefined;
  if (version === undefined) return { ok: false, reason: 'malformed: "version" must be an integer >= 1' };
  if (typeof v.stationId !== 'string' || !v.stationId) return { ok: false, reason: 'malformed: "stationId" missing', version };
  if (typeof v.payload !== 'object' || v.payload === null || Array.isArray(v.payload)) return { ok: false, reason: 'malformed: "payload" must be an object', version };
  if (v.issuedAt !== undefined && typeof v.issuedAt !== 'string') return { ok: false, reason: 'malformed: "issuedAt" must be a string', version };
  if (v.stationId !== expect.stationId) return { ok: false, reason: `wrong station: "${v.stationId}" is not "${expect.stationId}"`, version };
  if (v.reset !== undefined && v.reset !== true) return { ok: false, reason: 'malformed: "reset" can only be true', version };
  if (v.sig !== undefined && typeof v.sig !== 'string') return { ok: false, reason: 'malformed: "sig" must be a base64 string', version };
  const envelope: ConfigEnvelope = { stationId: v.stationId, version, payload: v.payload as Record<string, unknown> };
  if (typeof v.issuedAt === 'string') envelope.issuedAt = v.issuedAt;
  if (v.reset === true) {
    envelope.reset = true;
    envelope.sig = v.sig as string | undefined;
    const refused = checkReset(v, expect);
    return refused ? { ok: false, reason: refused, version } : { ok: true, envelope };
  }
  if (version <= expect.currentVersion) return { ok: false, reason: `stale version: ${version} <= current ${expect.currentVersion}`, version };
  if (version - expect.currentVersion > MAX_VERSION_STEP) return { ok: false, reason: `version jump: ${version} is more than ${MAX_VERSION_STEP} ahead of current ${expect.currentVersion} (send a signed reset to start a new sequence)`, version };
  return { ok: true, envelope };
}

/** Why a reset envelope is refused, or null: it must be signed by the backend key and freshly issued. */
function checkReset(v: Record<string, unknown>, expect: EnvelopeExpectation): string | null {
  if (typeof v.sig !== 'string') return 'reset refused: a reset must be signed by the backend key';
  if (!expect.verify) return 'reset refused: this station holds no backend key to check it';
  const issued = typeof v.issuedAt === 'string' ? Date.parse(v.issuedAt) : NaN;
  if (Number.isNaN(issued)) return 'reset refused: a reset needs "issuedAt" (ISO 8601)';
  if (Math.abs(issued - (expect.nowMs ?? Date.now())) > RESET_MAX_SKEW_MS) return 'reset refused: "issuedAt" is more than an hour from the station clock (replayed?)';
  if (!expect.verify(configSignedText(v as unknown as ConfigEnvelope), v.sig)) return 'reset refused: the signature does not verify with the backend key';
  return null;
}

/** The result published on `<prefix>/<stationId>/config/result`. */
export interface ConfigResult {
  result: 'accepted' | 'rejected';
  /** Which configuration the result is about. */
  config: ConfigKind;
  /** The version the message carried, or null when none could be read. */
  version: number | null;
  /** Why it was rejected (absent when accepted): every reason, joined by '; '. */
  reason?: string;
  /** The version of this kind in force at the station after the message (null: none yet). */
  inForce?: number | null;
}

/** Serialise a config result. */
export function formatConfigResult(r: ConfigResult): string {
  return JSON.stringify(r);
}

// Downstream configuration envelope on `<prefix>/<stationId>/config/{tariffs,limits}`
// (schemas/config-envelope.schema.json). This checks the envelope; the payload's own schema
// (tariff or limits) is checked by the adapter with ajv.
import type { ConfigKind } from './topics';

/** A configuration update as the backend sends it. */
export interface ConfigEnvelope {
  /** The station the update is meant for; must equal ours. */
  stationId: string;
  /** Monotonic version of this configuration kind, integer >= 1; must exceed the stored one. */
  version: number;
  /** The configuration itself (a tariff set or site limits). */
  payload: Record<string, unknown>;
  /** When the backend issued it, ISO 8601 (informative). */
  issuedAt?: string;
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
  if (version <= expect.currentVersion) return { ok: false, reason: `stale version: ${version} <= current ${expect.currentVersion}`, version };
  const envelope: ConfigEnvelope = { stationId: v.stationId, version, payload: v.payload as Record<string, unknown> };
  if (typeof v.issuedAt === 'string') envelope.issuedAt = v.issuedAt;
  return { ok: true, envelope };
}

/** The result published on `<prefix>/<stationId>/config/result`. */
export interface ConfigResult {
  result: 'accepted' | 'rejected';
  /** Which configuration the result is about. */
  config: ConfigKind;
  /** The version the message carried, or null when none could be read. */
  version: number | null;
  /** Why it was rejected (absent when accepted). */
  reason?: string;
}

/** Serialise a config result. */
export function formatConfigResult(r: ConfigResult): string {
  return JSON.stringify(r);
}

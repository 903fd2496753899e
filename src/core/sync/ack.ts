// The backend's end-to-end acknowledgement: `{"ack": ["<id>", ...]}` on `<prefix>/<stationId>/acks`.

/** Upper bound on ids per ack message, so a hostile message cannot make us allocate without bound. */
export const MAX_ACK_IDS = 10_000;

/** A parsed ack, or why the message was refused. */
export type AckParse = { ok: true; ids: string[] } | { ok: false; reason: string };

/** Parse and validate an ack message (raw MQTT payload or string). Duplicate ids are collapsed. */
export function parseAck(raw: Buffer | string): AckParse {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not an object' };
  const ack = (value as { ack?: unknown }).ack;
  if (!Array.isArray(ack)) return { ok: false, reason: '"ack" must be an array of ids' };
  if (ack.length > MAX_ACK_IDS) return { ok: false, reason: `more than ${MAX_ACK_IDS} ids` };
  for (const id of ack) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) return { ok: false, reason: 'every id must be a non-empty string of at most 256 characters' };
  }
  return { ok: true, ids: [...new Set(ack as string[])] };
}

/** Serialise an ack message. */
export function formatAck(ids: string[]): string {
  return JSON.stringify({ ack: ids });
}

// Retained station status on `<prefix>/<stationId>/status` (schemas/status.schema.json).

/** The "online" birth message, sent retained on every connection. */
export interface BirthMessage {
  state: 'online';
  /** Package version of the station software. */
  version: string;
  /** Records in the outbox waiting for the backend's ack at connection time. */
  backlog: number;
  /** ISO 8601 UTC time of the connection. */
  since: string;
}

/** The "offline" last will (and the message sent on a clean shutdown). */
export interface WillMessage {
  state: 'offline';
}

/** Serialise the birth message. */
export function birthPayload(version: string, backlog: number, nowMs: number): string {
  const m: BirthMessage = { state: 'online', version, backlog, since: new Date(nowMs).toISOString() };
  return JSON.stringify(m);
}

/** Serialise the last will. */
export function willPayload(): string {
  const m: WillMessage = { state: 'offline' };
  return JSON.stringify(m);
}

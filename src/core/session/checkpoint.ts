// Checkpoint format: small, versioned JSON. An open session's checkpoint is its state; a finished
// session stays checkpointed until the ledger's append batch deletes it, so it can be re-emitted.
import type { Session } from '../types';
import type { OpenSession, ReadingRef } from './state';

/** Current checkpoint format version; parseCheckpoint rejects versions it does not know. */
export const CHECKPOINT_VERSION = 1;

/** An open session, with the process (boot) that wrote it: a different boot id means a restart. */
export interface OpenCheckpoint {
  v: 1;
  kind: 'open';
  bootId: string;
  stationId: string;
  chargerId: string;
  connectorId: string;
  savedAtMs: number;
  session: OpenSession;
}

/** A finished session that may not have reached the ledger yet. */
export interface FinishedCheckpoint {
  v: 1;
  kind: 'finished';
  stationId: string;
  chargerId: string;
  connectorId: string;
  session: Session;
}

/**
 * The last register of a connector with no session open: without it, energy counted across a restart
 * after the last record could not be seen. Written only when the register moved (a session or an
 * unattributed record ended), so an idle connector costs no writes.
 */
export interface LastReadingCheckpoint {
  v: 1;
  kind: 'last_reading';
  bootId: string;
  stationId: string;
  chargerId: string;
  connectorId: string;
  savedAtMs: number;
  reading: ReadingRef;
}

/** Either kind of checkpoint. */
export type Checkpoint = OpenCheckpoint | FinishedCheckpoint | LastReadingCheckpoint;

/** Store key of a connector's last-reading checkpoint (cannot collide with a session id, which starts with the station id). */
export function lastReadingKey(stationId: string, chargerId: string, connectorId: string): string {
  return `~last-reading:${stationId}:${chargerId}:${connectorId}`;
}

/** Validate a stored checkpoint (as returned by CheckpointStore.loadAll); throws on an unknown shape or version. */
export function parseCheckpoint(state: unknown): Checkpoint {
  const o = (typeof state === 'string' ? JSON.parse(state) : state) as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error('checkpoint: not an object');
  if (o.v !== CHECKPOINT_VERSION) throw new Error(`checkpoint: unsupported version ${String(o.v)}`);
  if (o.kind !== 'open' && o.kind !== 'finished' && o.kind !== 'last_reading') throw new Error(`checkpoint: unknown kind ${String(o.kind)}`);
  for (const k of ['stationId', 'chargerId', 'connectorId'] as const) {
    if (typeof o[k] !== 'string') throw new Error(`checkpoint: ${k} missing`);
  }
  if (o.kind === 'last_reading') {
    const r = o.reading as Record<string, unknown> | undefined;
    if (!r || !Number.isInteger(r.energyWh) || typeof r.timeMs !== 'number') throw new Error('checkpoint: reading missing');
    return o as unknown as Checkpoint;
  }
  const s = o.session as Record<string, unknown> | undefined;
  if (!s || typeof s.id !== 'string' || typeof s.energyWh !== 'number') throw new Error('checkpoint: session missing');
  return o as unknown as Checkpoint;
}

/** Serialised size in bytes (UTF-8), as written to the store. */
export function checkpointBytes(ck: Checkpoint): number {
  return new TextEncoder().encode(JSON.stringify(ck)).length;
}

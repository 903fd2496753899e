// Checkpoint format: small, versioned JSON. An open session's checkpoint is its state; a finished
// session stays checkpointed until the ledger's append batch deletes it, so it can be re-emitted.
import type { Session } from '../types';
import type { OpenSession } from './state';

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

/** Either kind of checkpoint. */
export type Checkpoint = OpenCheckpoint | FinishedCheckpoint;

/** Validate a stored checkpoint (as returned by CheckpointStore.loadAll); throws on an unknown shape or version. */
export function parseCheckpoint(state: unknown): Checkpoint {
  const o = (typeof state === 'string' ? JSON.parse(state) : state) as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error('checkpoint: not an object');
  if (o.v !== CHECKPOINT_VERSION) throw new Error(`checkpoint: unsupported version ${String(o.v)}`);
  if (o.kind !== 'open' && o.kind !== 'finished') throw new Error(`checkpoint: unknown kind ${String(o.kind)}`);
  for (const k of ['stationId', 'chargerId', 'connectorId'] as const) {
    if (typeof o[k] !== 'string') throw new Error(`checkpoint: ${k} missing`);
  }
  const s = o.session as Record<string, unknown> | undefined;
  if (!s || typeof s.id !== 'string' || typeof s.energyWh !== 'number') throw new Error('checkpoint: session missing');
  return o as unknown as Checkpoint;
}

/** Serialised size in bytes (UTF-8), as written to the store. */
export function checkpointBytes(ck: Checkpoint): number {
  return new TextEncoder().encode(JSON.stringify(ck)).length;
}

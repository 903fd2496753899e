import { LedgerWriteError } from '../adapters/store/ledger-store';
import type { LedgerRecord } from '../core/ledger/record';
import type { Session } from '../core/types';
import { onInput } from './lib/input';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusIdle, statusOk, statusWarn } from './lib/status';
import type { LedgerConfigNode } from './ledger';

type Held = { session: Session; pricing?: unknown; tariffHash?: string; msgid?: string };

/** Reason a message cannot be a finished session, or null when it looks like one. */
export function sessionShapeError(value: unknown): string | null {
  if (!value || typeof value !== 'object') return 'msg.payload is not a session object';
  const s = value as Partial<Session>;
  for (const f of ['id', 'stationId', 'chargerId', 'connectorId', 'startTime', 'endTime'] as const) {
    if (typeof s[f] !== 'string' || !s[f]) return `session.${f} is missing`;
  }
  if (!Number.isSafeInteger(s.energyWh)) return 'session.energyWh is not an integer (Wh)';
  for (const r of ['startReading', 'endReading'] as const) {
    const reading = s[r];
    if (!reading || !Number.isSafeInteger(reading.energyWh) || typeof reading.time !== 'string' || Number.isNaN(Date.parse(reading.time))) {
      return `session.${r} needs integer energyWh and an ISO time`;
    }
  }
  if (!Array.isArray(s.flags)) return 'session.flags is not an array';
  return null;
}


/**
 * Registers `chargeledger-record`: signs, chains and stores each finished session through the
 * ledger config node and emits the record. When the store cannot write (disk full), sessions are
 * held in memory in order, the node alarms (red status, node.error) and retries until space returns.
 */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-record', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node: Node = this as Node;
    const ledger = RED.nodes.getNode(String(def.ledger ?? '')) as LedgerConfigNode | null;
    const retryMs = Number(RED.settings.chargeledgerRecordRetryMs ?? 5000);
    const held: Held[] = [];
    let retryTimer: NodeJS.Timeout | undefined;
    let closed = false;

    if (!ledger) statusFault(node, 'no ledger');
    else if (ledger.failure) statusFault(node, 'ledger failed');
    else statusIdle(node, 'ready');

    const emit = (record: LedgerRecord, duplicate: boolean, msgid?: string): void => {
      statusOk(node, duplicate ? `seq ${record.seq} (dup)` : `seq ${record.seq}`);
      const out: NodeMessage = { kind: 'record', topic: record.stationId, payload: record };
      if (msgid) out._msgid = msgid;
      if (duplicate) out.duplicate = true;
      node.send(out);
    };

    let lastWhy = 'store error';
    const alarm = (err: LedgerWriteError): void => {
      lastWhy = err.diskFull ? 'disk full' : 'store error';
      statusFault(node, `${lastWhy}: ${held.length} held`);
    };

    // Append every held session in order; stop at the first failure and try again later.
    let draining = false;
    const drain = async (): Promise<LedgerWriteError | null> => {
      draining = true;
      try {
        return await drainHeld();
      } finally {
        draining = false;
      }
    };
    const drainHeld = async (): Promise<LedgerWriteError | null> => {
      while (held.length > 0 && !closed) {
        const next = held[0];
        try {
          const { record, duplicate } = await ledger!.store!.append(next.session, { pricing: next.pricing, tariffHash: next.tariffHash });
          held.shift();
          emit(record, duplicate, next.msgid);
        } catch (e) {
          if (!(e instanceof LedgerWriteError)) {
            // Not a disk problem: this session can never be recorded; drop it and report it.
            held.shift();
            throw e;
          }
          alarm(e);
          scheduleRetry();
          return e;
        }
      }
      return null;
    };

    const scheduleRetry = (): void => {
      if (retryTimer || closed) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        drain().then(
          (err) => {
            if (err) node.error(`ledger still not writing (${err.message}); ${held.length} finished sessions held in memory`);
            else node.log('ledger writing again: held sessions recorded');
          },
          (e: Error) => {
            node.error(`session not recorded: ${e.message}`);
            if (held.length > 0) scheduleRetry();
          },
        );
      }, retryMs);
    };

    onInput(node, async (msg) => {
      if (msg.kind !== undefined && msg.kind !== 'session') throw new Error(`expected msg.kind "session", got "${String(msg.kind)}"`);
      const shape = sessionShapeError(msg.payload);
      if (shape) throw new Error(shape);
      if (!ledger) throw new Error('no ledger configured');
      if (!ledger.store) throw new Error(`ledger not available: ${ledger.failure?.message ?? 'unknown'}`);
      const pricing = msg.pricing ?? undefined;
      const tariffHash = pricing && typeof (pricing as { tariffHash?: unknown }).tariffHash === 'string' ? (pricing as { tariffHash: string }).tariffHash : undefined;
      held.push({ session: msg.payload as Session, pricing, tariffHash, msgid: msg._msgid });
      if (draining) return; // a retry is writing the held sessions right now and will take this one too
      if (held.length > 1) {
        // Earlier sessions are still waiting for the disk: keep the order, stay loud.
        statusFault(node, `${lastWhy}: ${held.length} held`);
        throw new Error(`ledger not writing; session ${(msg.payload as Session).id} held in memory (${held.length} held)`);
      }
      const err = await drain();
      if (err) {
        throw new Error(`LEDGER NOT WRITING (${err.diskFull ? 'disk full' : err.cause.message}): session ${(msg.payload as Session).id} held in memory with ${held.length - 1} others; retrying every ${Math.round(retryMs / 1000)} s`);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (held.length > 0) node.warn(`${held.length} finished sessions were not recorded; the session node re-emits them from its checkpoints`);
      statusWarn(node, 'stopped');
      done();
    });
  });
}

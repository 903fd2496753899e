import path from 'node:path';
import { HeldSpill } from '../adapters/store/held-spill';
import { LedgerWriteError } from '../adapters/store/ledger-store';
import type { LedgerRecord } from '../core/ledger/record';
import { trimUnattributed } from '../core/session/unattributed';
import type { Session } from '../core/types';
import { DefReader } from './lib/def-fields';
import { InputRefused, onInput } from './lib/input';
import { parseInput } from './lib/parse-input';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusIdle, statusOk, statusWarn } from './lib/status';
import type { LedgerConfigNode } from './ledger';

type Held = { session: Session; pricing?: unknown; tariffHash?: string; msgid?: string };

/** The ledger config node as the record node sees it: it publishes how many finished sessions wait in memory. */
type Ledger = LedgerConfigNode & { heldCount?: number; heldByNode?: Map<string, number> };

/** Default bound of the spill file, bytes. */
const DEFAULT_SPILL_MAX_MB = 10;

/**
 * Registers `chargeledger-record`: signs, chains and stores each finished session through the
 * ledger config node and emits the record. When the store cannot write (disk full), sessions are
 * held in memory in order, the node alarms (red status, node.error) and retries until space returns.
 */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-record', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node: Node = this as Node;
    const ledger = RED.nodes.getNode(String(def.ledger ?? '')) as Ledger | null;
    const retryMs = Number(RED.settings.chargeledgerRecordRetryMs ?? 5000);
    const held: Held[] = [];
    let retryTimer: NodeJS.Timeout | undefined;
    let closed = false;
    // Optional spill directory (another filesystem): held sessions are written there so a crash while the disk is full loses none.
    const fields = new DefReader(def);
    const spillMaxMB = fields.number('spillMaxMB', DEFAULT_SPILL_MAX_MB, { label: 'Spill limit', unit: 'MB', min: 0.001, max: 100_000 });
    // A bad spill limit must not leave sessions unprotected silently: say so and hold in memory only.
    if (fields.problems.length) node.error(`chargeledger-record: ${fields.problems.join('; ')}; the spill directory is not used`);
    const spill = !fields.problems.length && typeof def.spillDir === 'string' && def.spillDir.trim() && ledger ? new HeldSpill(path.join(def.spillDir.trim(), `held-${ledger.stationId}-${node.id}.jsonl`), spillMaxMB * 1024 * 1024) : null;
    const spilled = new Set<string>();
    let spillFull = false;
    // Sessions read back from the spill: an unattributed record after the crash must not claim their energy again.
    const recovered: Session[] = [];

    /** Publish the held count on the ledger config node (the health telemetry reads ledger.heldCount). */
    const publishHeld = (): void => {
      if (!ledger) return;
      ledger.heldByNode ??= new Map();
      ledger.heldByNode.set(node.id, held.length);
      ledger.heldCount = [...ledger.heldByNode.values()].reduce((a, n) => a + n, 0);
    };

    if (!ledger) statusFault(RED, node, 'noLedger');
    else if (ledger.failure) statusFault(RED, node, 'ledgerFailed');
    else statusIdle(RED, node, 'ready');

    const emit = (record: LedgerRecord, duplicate: boolean, msgid?: string): void => {
      statusOk(RED, node, duplicate ? 'seqDuplicate' : 'seq', { seq: record.seq });
      const out: NodeMessage = { kind: 'record', topic: record.stationId, payload: record };
      if (msgid) out._msgid = msgid;
      if (duplicate) out.duplicate = true;
      node.send(out);
    };

    let lastWhy = 'store error';
    const heldStatus = (): void => statusFault(RED, node, lastWhy === 'disk full' ? 'heldDiskFull' : 'heldStoreError', { count: held.length });
    const alarm = (err: LedgerWriteError): void => {
      lastWhy = err.diskFull ? 'disk full' : 'store error';
      heldStatus();
    };

    /** Write every held session not yet spilled to the spill file (fsync'd), within its bound. */
    const spillHeld = async (): Promise<void> => {
      if (!spill) return;
      for (const h of held) {
        if (spilled.has(h.session.id)) continue;
        try {
          if (!(await spill.add({ session: h.session, pricing: h.pricing, tariffHash: h.tariffHash }))) {
            if (!spillFull) node.error(`spill ${spill.file} is full (${spillMaxMB} MB): ${held.length} finished sessions held in memory only`);
            spillFull = true;
            return;
          }
          spilled.add(h.session.id);
        } catch (e) {
          node.error(`spill ${spill.file} not writable: ${(e as Error).message}`);
          return;
        }
      }
    };

    /** Once nothing is held, the spill has nothing the ledger lacks. */
    const clearSpill = async (): Promise<void> => {
      if (!spill || held.length > 0 || spilled.size === 0) return;
      spilled.clear();
      spillFull = false;
      await spill.clear().catch((e: Error) => node.warn(`spill ${spill.file} not removed: ${e.message}`));
    };

    // Append every held session in order; stop at the first failure and try again later.
    let draining = false;
    const drain = async (): Promise<LedgerWriteError | null> => {
      draining = true;
      try {
        const err = await drainHeld();
        if (err) await spillHeld();
        else await clearSpill();
        return err;
      } finally {
        draining = false;
        publishHeld();
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
      // A session may come without a kind (from a function node); anything else must parse as one.
      const parsed = parseInput(msg.kind === undefined ? { ...msg, kind: 'session' } : msg, ['session']);
      if (!parsed.ok) throw new InputRefused(parsed.reason);
      if (!ledger) throw new Error('no ledger configured');
      if (!ledger.store) throw new Error(`ledger not available: ${ledger.failure?.message ?? 'unknown'}`);
      const { session: incoming, pricing, tariffHash } = parsed.value.value;
      const waiting = held.length;
      for (const session of claimable(incoming)) held.push({ session, pricing, tariffHash, msgid: msg._msgid });
      publishHeld();
      if (held.length === waiting) return; // nothing left to record (an unattributed span fully claimed)
      if (draining) return; // a retry is writing the held sessions right now and will take this one too
      if (waiting > 0) {
        // Earlier sessions are still waiting for the disk: keep the order, stay loud.
        heldStatus();
        await spillHeld();
        throw new Error(`ledger not writing; session ${incoming.id} held in memory (${held.length} held)`);
      }
      const err = await drain();
      if (err) {
        throw new Error(`LEDGER NOT WRITING (${err.diskFull ? 'disk full' : err.cause.message}): session ${incoming.id} held in memory with ${held.length - 1} others; retrying every ${Math.round(retryMs / 1000)} s`);
      }
    });

    /** An unattributed record loses the spans of sessions read back from the spill; a fully covered one only drops its checkpoint. */
    function claimable(session: Session): Session[] {
      if (session.type !== 'unattributed' || recovered.length === 0) return [session];
      const pieces = trimUnattributed(session, recovered);
      if (pieces.length === 0) {
        node.log(`unattributed ${session.id}: all of its energy is in sessions read back from the spill`);
        ledger?.checkpoints.delete(session.id).catch((e: Error) => node.warn(`checkpoint ${session.id} not removed: ${e.message}`));
      }
      return pieces;
    }

    // Read back what a previous run spilled; the ledger records each session id once.
    if (spill && ledger?.store) {
      spill
        .load()
        .then(async ({ entries, bad }) => {
          if (bad) node.warn(`spill ${spill.file}: ${bad} unreadable lines skipped`);
          if (entries.length === 0) return;
          node.log(`re-ingesting ${entries.length} finished sessions from spill ${spill.file}`);
          const back: Held[] = [];
          for (const e of entries) {
            const session = e.session as unknown as Session;
            recovered.push(session);
            spilled.add(session.id);
            if (!held.some((h) => h.session.id === session.id)) back.push({ session, pricing: e.pricing, tariffHash: e.tariffHash });
          }
          held.unshift(...back); // in their original order, ahead of anything newer
          publishHeld();
          if (!draining) {
            const err = await drain();
            if (err) node.error(`ledger still not writing (${err.message}); ${held.length} finished sessions held`);
          }
        })
        .catch((e: Error) => node.error(`spill ${spill.file} not readable: ${e.message}`));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (ledger?.heldByNode) {
        ledger.heldByNode.delete(node.id);
        ledger.heldCount = [...ledger.heldByNode.values()].reduce((a, n) => a + n, 0);
      }
      if (retryTimer) clearTimeout(retryTimer);
      if (held.length > 0) node.warn(`${held.length} finished sessions were not recorded${spill ? ` (spilled to ${spill.file}, read back on start)` : '; the session node re-emits those still checkpointed'}`);
      statusWarn(RED, node, 'stopped');
      done();
    });
  });
}

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointStore, Outbox } from '../adapters/ports';
import { isLockedError } from '../adapters/store/ledger-store';
import { pruneSynced } from '../adapters/store/prune';
import { acquireStation, releaseStation } from '../adapters/store/registry';
import type { Station } from '../adapters/store/station';
import type { LedgerRecord } from '../core/ledger/record';
import type { OcmfTimeStatus } from '../core/ocmf/time';
import { registerLedgerExport } from './ledger-export';
import { parseLedgerDef, type LedgerNodeConfig } from './ledger-def';
import { migrateDef } from './lib/migrate';
import { Users, type LedgerConfigNode } from './lib/config-nodes';
import type { Node, NodeAPI, NodeDef } from './lib/red';

export type { LedgerConfigNode } from './lib/config-nodes';

/** How long the ledger waits on close for its users' last writes, ms. */
const USERS_GRACE_MS = 5000;

const DAY_MS = 86_400_000;

function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function failingPorts(err: Error): { checkpoints: CheckpointStore; outbox: Outbox } {
  const fail = (): Promise<never> => Promise.reject(err);
  return { checkpoints: { save: fail, loadAll: fail, delete: fail }, outbox: { peek: fail, ack: fail, size: fail } };
}

/** Registers `chargeledger-ledger`: one station's LevelDB ledger and signing key, shared by reference. */
export default function (RED: NodeAPI): void {
  registerLedgerExport(RED);
  RED.nodes.registerType('chargeledger-ledger', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node = this as LedgerConfigNode;
    const userDir = typeof RED.settings.userDir === 'string' ? RED.settings.userDir : process.cwd();
    let cfg: LedgerNodeConfig | undefined;
    try {
      cfg = parseLedgerDef(def);
    } catch (e) {
      node.failure = e as Error;
      node.error((e as Error).message);
    }
    const dataDir = cfg?.dataDir || path.join(userDir, 'chargeledger');
    node.stationId = cfg?.stationId ?? String(def.stationId || 'station-1');
    const retentionDays = cfg?.retentionDays ?? 0;
    node.events = new EventEmitter();
    // Node-RED closes every node at once on a stop or redeploy; dependents save checkpoints on
    // close, so the database must outlive them (bounded, so a stuck user cannot block shutdown).
    const users = new Users<string>();
    node.addUser = (id) => users.add(id);
    node.removeUser = (id) => {
      users.delete(id);
    };
    let station: Station | undefined;
    try {
      if (!cfg) throw node.failure!;
      station = acquireStation({
        dataDir,
        stationId: node.stationId,
        identity: {
          gatewayId: String(def.gatewayId || 'ChargeLedger'),
          gatewaySerial: node.stationId,
          gatewayVersion: packageVersion(),
          meterVendor: def.meterVendor ? String(def.meterVendor) : undefined,
          meterModel: def.meterModel ? String(def.meterModel) : undefined,
          timeStatus: (['U', 'I', 'S', 'R'].includes(String(def.timeStatus)) ? def.timeStatus : 'I') as OcmfTimeStatus,
        },
      });
    } catch (e) {
      const first = !node.failure;
      node.failure = e instanceof Error ? e : new Error(String(e));
      if (first) node.error(`ledger not available: ${node.failure.message}`);
    }
    node.keyId = station?.keyId ?? '';
    node.store = station?.store;
    if (station) {
      node.checkpoints = station.checkpoints;
      node.outbox = station.outbox;
      station.store.ready.catch((e: Error) => {
        // level says "Database failed to open" and keeps the reason in `cause`.
        const why = isLockedError(e) ? 'it is in use by another process (a second Node-RED, or a chargeledger command); records wait and are written once it is free' : ((e.cause as Error | undefined)?.message ?? e.message);
        node.error(`ledger database ${station!.paths.db} failed to open: ${why}`);
      });
    } else {
      Object.assign(node, failingPorts(node.failure!));
    }
    const forward = (record: LedgerRecord): void => {
      node.events.emit('appended', record);
    };
    station?.store.on('appended', forward);

    // Retention: synced records older than retentionDays are pruned hourly; unsynced ones never.
    let pruneTimer: NodeJS.Timeout | undefined;
    const prune = (): void => {
      if (!station || !(retentionDays > 0)) return;
      pruneSynced(station.store, Date.now() - retentionDays * DAY_MS).then(
        (r) => r.removed > 0 && node.log(`pruned ${r.removed} synced records through seq ${r.throughSeq}`),
        (e: Error) => node.warn(`pruning failed: ${e.message}`),
      );
    };
    if (station && retentionDays > 0) {
      const intervalMs = Number(RED.settings.chargeledgerPruneIntervalMs ?? 3_600_000);
      pruneTimer = setInterval(prune, intervalMs);
      pruneTimer.unref();
      station.store.ready.then(prune, () => undefined);
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      if (pruneTimer) clearInterval(pruneTimer);
      station?.store.off('appended', forward);
      node.events.removeAllListeners();
      // The data is durable; closing only frees the LevelDB lock when this was the last user.
      if (!station) return done();
      const s = station;
      users
        .whenEmpty(USERS_GRACE_MS)
        .then(() => releaseStation(s))
        .then(done, (e: Error) => {
          node.warn(`closing the ledger: ${e.message}`);
          done();
        });
    });
  });
}

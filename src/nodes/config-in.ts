import path from 'node:path';
import { ConfigListener, type AcceptedConfig } from '../adapters/mqtt/config-listener';
import { configValidators, SCHEMAS_DIR } from '../adapters/mqtt/config-schemas';
import { ConfigStore } from '../adapters/mqtt/config-store';
import type { UplinkClient } from '../adapters/mqtt/uplink-client';
import type { ConfigResult } from '../core/sync/config-envelope';
import { DEFAULT_MAX_CONFIG_BYTES } from '../core/sync/config-envelope';
import type { ConfigKind } from '../core/sync/topics';
import { DefReader } from './lib/def-fields';
import { beginConfigTxn, CONFIG_CONSUMERS } from './lib/config-apply';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef } from './lib/red';
import { statusFault, statusOk, statusWarn } from './lib/status';
import type { UplinkConfigNode } from './uplink';

/** Registers `chargeledger-config-in`: tariff and limit updates from the backend, checked, persisted and emitted. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-config-in', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node = this as Node;
    const uplinkNode = RED.nodes.getNode(String(def.uplink)) as UplinkConfigNode | null;
    if (!uplinkNode) {
      statusFault(RED, node, 'noUplink');
      node.error('no uplink configured');
      return;
    }
    const userDir = typeof RED.settings.userDir === 'string' ? RED.settings.userDir : process.cwd();
    const dataDir = String(def.dataDir || path.join(userDir, 'chargeledger', `config-${uplinkNode.stationId}`));
    // Settings key for tests and unusual installs; the package's own schemas/ by default.
    const schemasDir = typeof RED.settings.chargeledgerSchemasDir === 'string' ? RED.settings.chargeledgerSchemasDir : SCHEMAS_DIR;
    let client: UplinkClient;
    let store: ConfigStore;
    try {
      store = new ConfigStore(dataDir);
      client = uplinkNode.acquire(node);
    } catch (e) {
      statusFault(RED, node, 'setupFailed');
      node.error(`config-in: ${(e as Error).message}`);
      return;
    }
    const fields = new DefReader(def);
    const maxBytes = fields.number('maxBytes', DEFAULT_MAX_CONFIG_BYTES, { label: 'Largest message', unit: 'bytes', min: 1024, max: 16 * 1024 * 1024, integer: true });
    try {
      fields.done('chargeledger-config-in');
    } catch (e) {
      statusFault(RED, node, 'configError');
      node.error((e as Error).message);
      void uplinkNode.release(node);
      return;
    }
    const applyTimeoutMs = Number(RED.settings.chargeledgerConfigApplyMs ?? 10_000);
    /** The nodes wired to this one that apply `kind` (price nodes for tariffs, load nodes for limits). */
    const consumersOf = (kind: ConfigKind): Array<{ id: string; label: string }> => {
      const wired = ((def.wires as string[][] | undefined) ?? []).flat();
      return wired
        .map((id) => RED.nodes.getNode(id) as (Node & { type?: string; name?: string }) | null)
        .filter((n): n is Node & { type?: string; name?: string } => Boolean(n) && n!.type === CONFIG_CONSUMERS[kind])
        .map((n) => ({ id: n.id, label: `${n.type}${n.name ? ` "${n.name}"` : ` ${n.id}`}` }));
    };
    const emit = (c: AcceptedConfig, extra: Record<string, unknown>): void => {
      node.send({ kind: 'config', topic: c.kind, payload: c.payload, version: c.version, ...extra });
    };
    // A config is in force only once every consumer applied it; config/result says so only then.
    const apply = async (c: AcceptedConfig): Promise<string[]> => {
      const consumers = consumersOf(c.kind);
      if (consumers.length === 0) return [`no ${CONFIG_CONSUMERS[c.kind]} node is wired to this config-in node to apply ${c.kind}`];
      const { txn, result } = beginConfigTxn(consumers, applyTimeoutMs);
      emit(c, { configTxn: txn });
      return result;
    };
    const listener = new ConfigListener(client, {
      stationId: uplinkNode.stationId,
      store,
      validators: configValidators(schemasDir),
      apply,
      verify: uplinkNode.ackVerify ?? undefined,
      maxBytes,
    });
    listener.on('result', (r: ConfigResult) => {
      if (r.result === 'accepted') statusOk(RED, node, 'accepted', { config: r.config, version: r.version });
      else {
        statusWarn(RED, node, 'rejected', { config: r.config });
        node.warn(`rejected ${r.config} update${r.version !== null ? ` v${r.version}` : ''}: ${r.reason}`);
      }
    });
    listener.on('error', (e: Error) => node.warn(e.message));
    const onConnect = (): void => statusOk(RED, node, 'connected');
    const onOffline = (): void => statusFault(RED, node, 'offline');
    client.on('connect', onConnect);
    client.on('offline', onOffline);
    listener.start();
    statusWarn(RED, node, 'connecting');

    // After a restart, hand the accepted configurations to the tariff and load nodes again,
    // once the whole flow is running (a message sent earlier could reach no one).
    const replay = (): void => {
      for (const kind of ['tariffs', 'limits'] as ConfigKind[]) {
        try {
          const c = store.current(kind);
          if (c) emit({ kind, version: c.version, payload: c.payload }, { stored: true });
        } catch (e) {
          node.warn(`stored ${kind} config unreadable: ${(e as Error).message}`);
        }
      }
    };
    const replayTimer = def.emitStored === false ? null : setTimeout(replay, Number(RED.settings.chargeledgerConfigReplayMs ?? 1000));

    node.on('close', (_removed: boolean, done: () => void) => {
      if (replayTimer) clearTimeout(replayTimer);
      client.off('connect', onConnect);
      client.off('offline', onOffline);
      listener
        .stop()
        .then(() => uplinkNode.release(node))
        .then(done, () => done());
    });
  });
}

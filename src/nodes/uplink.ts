import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UplinkClient } from '../adapters/mqtt/uplink-client';
import { DEFAULT_PREFIX } from '../core/sync/topics';
import type { Node, NodeAPI, NodeDef } from './lib/red';

/** What the uplink config node offers the sync and config-in nodes. */
export interface UplinkConfigNode extends Node {
  stationId: string;
  prefix: string;
  /** Take the shared connection (started on the first user). */
  acquire(user: Node): UplinkClient;
  /** Give it back; the connection closes when the last user leaves. */
  release(user: Node): Promise<void>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Registers `chargeledger-uplink`: one MQTT connection per station, shared by reference and refcounted. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType(
    'chargeledger-uplink',
    function (this: Node, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this as UplinkConfigNode;
      node.stationId = String(def.stationId || 'station-1');
      node.prefix = String(def.prefix || DEFAULT_PREFIX);
      const users = new Set<string>();
      let client: UplinkClient | null = null;

      node.acquire = (user) => {
        users.add(user.id);
        if (!client) {
          // Throws on bad settings (unreadable TLS files, bad topic levels); the user node reports it.
          client = new UplinkClient({
            brokerUrl: String(def.broker || 'mqtt://localhost:1883'),
            stationId: node.stationId,
            prefix: node.prefix,
            clientId: String(def.clientId || `chargeledger-${node.stationId}`),
            username: node.credentials?.username || undefined,
            password: node.credentials?.password || undefined,
            caPath: def.caPath ? String(def.caPath) : undefined,
            certPath: def.certPath ? String(def.certPath) : undefined,
            keyPath: def.keyPath ? String(def.keyPath) : undefined,
            rejectUnauthorized: def.rejectUnauthorized !== false,
            keepaliveS: Number(def.keepaliveS) > 0 ? Number(def.keepaliveS) : 30,
            protocolVersion: String(def.protocol) === '4' ? 4 : 5,
            version: packageVersion(),
          });
          client.on('error', (e: Error) => node.debug?.(`uplink: ${e.message}`));
          client.on('connect', (c: { protocolVersion: number }) => node.log(`connected to ${String(def.broker)} (MQTT ${c.protocolVersion === 5 ? '5' : '3.1.1'})`));
          client.on('disconnect', (d: { reason: string }) => node.warn(`disconnected from ${String(def.broker)}: ${d.reason}; reconnecting`));
          client.start();
        }
        return client;
      };

      const closeClient = async (): Promise<void> => {
        const c = client;
        client = null;
        if (c) await c.close();
      };

      node.release = async (user) => {
        users.delete(user.id);
        if (users.size === 0) await closeClient();
      };

      node.on('close', (_removed: boolean, done: () => void) => {
        users.clear();
        closeClient().then(done, () => done());
      });
    },
    { credentials: { username: { type: 'text' }, password: { type: 'password' } } },
  );
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UplinkClient } from '../adapters/mqtt/uplink-client';
import { ackSignatureCheck, loadAckPublicKeys } from '../adapters/crypto/ack-keys';
import type { AckSignatureCheck } from '../core/sync/ack-auth';
import { DEFAULT_PREFIX } from '../core/sync/topics';
import { Users } from './lib/config-nodes';
import { DefReader } from './lib/def-fields';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef } from './lib/red';

/** What the uplink config node offers the sync and config-in nodes. */
export interface UplinkConfigNode extends Node {
  stationId: string;
  prefix: string;
  /** Take the shared connection (started on the first user). */
  acquire(user: Node): UplinkClient;
  /** Give it back; the connection closes when the last user leaves. */
  release(user: Node): Promise<void>;
  /** How acks are checked: the backend key's signature check, or null for unsigned acks (test benches). */
  ackVerify: AckSignatureCheck | null;
  /** Why no ack can be trusted (no key, or an unreadable one); null when acks can be checked. */
  ackKeyProblem: string | null;
}

/** The ack trust of an uplink: a signature check against the backend key, refusing everything when the key is missing or bad. */
function ackTrust(def: NodeDef): { verify: AckSignatureCheck | null; problem: string | null } {
  if (String(def.ackAuth ?? 'signed') === 'none') return { verify: null, problem: null };
  const file = String(def.ackKey ?? '').trim();
  // Why refuse rather than fall back to unsigned: one forged ack deletes an undelivered record for good.
  if (!file || /^\$\{[^}]*\}$/.test(file)) return { verify: () => false, problem: 'no backend key: acks refused' };
  try {
    return { verify: ackSignatureCheck(loadAckPublicKeys(file)), problem: null };
  } catch (e) {
    return { verify: () => false, problem: (e as Error).message };
  }
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The keepalive, s; a bad value throws (the user node reports it) rather than silently becoming 30. */
function keepaliveS(def: NodeDef): number {
  const r = new DefReader(def);
  const v = r.number('keepaliveS', 30, { label: 'Keepalive', unit: 's', min: 5, max: 3600 });
  r.done('chargeledger-uplink');
  return v;
}

/** Registers `chargeledger-uplink`: one MQTT connection per station, shared by reference and refcounted. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType(
    'chargeledger-uplink',
    function (this: Node, def: NodeDef) {
      def = migrateDef(def);
      RED.nodes.createNode(this, def);
      const node = this as UplinkConfigNode;
      node.stationId = String(def.stationId || 'station-1');
      node.prefix = String(def.prefix || DEFAULT_PREFIX);
      const trust = ackTrust(def);
      node.ackVerify = trust.verify;
      node.ackKeyProblem = trust.problem;
      if (trust.problem) node.warn(`${trust.problem}; records stay in the outbox until a signed ack arrives`);
      else if (trust.verify === null) node.warn('acks are not authenticated (Ack check: none): any client that may publish on the acks topic can delete records');
      const users = new Users<string>();
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
            keepaliveS: keepaliveS(def),
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
        if (users.delete(user.id)) await closeClient();
      };

      node.on('close', (_removed: boolean, done: () => void) => {
        users.clear();
        closeClient().then(done, () => done());
      });
    },
    { credentials: { username: { type: 'text' }, password: { type: 'password' } } },
  );
}

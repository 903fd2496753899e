import { priceSession, TariffError, type ReservationInput } from '../core/tariff';
import type { Session } from '../core/types';
import { reportConfig } from './lib/config-apply';
import { onInput } from './lib/input';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusIdle, statusOk, statusWarn } from './lib/status';
import type { TariffConfigNode } from './tariff';

function isSession(p: unknown): p is Session {
  const s = p as Session;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.startTime === 'string' && typeof s.endTime === 'string';
}

/** Registers `chargeledger-price`: adds msg.pricing (revenue, cost, margin) to finished sessions. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-price', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node: Node = this; // eslint-disable-line @typescript-eslint/no-this-alias -- used in callbacks
    const tariff = RED.nodes.getNode(String(def.tariff ?? '')) as TariffConfigNode | null;
    const now = (): number => Date.now();
    if (!tariff) statusFault(node, 'no tariff');
    else if (tariff.failure || !tariff.config) statusFault(node, 'tariff invalid');
    else statusIdle(node, `tariff ${tariff.config.sell.id}`);

    onInput(node, async (msg: NodeMessage, send) => {
      if (!tariff) {
        reportConfig(msg, node.id, `chargeledger-price ${node.id}`, 'no chargeledger-tariff config node selected');
        throw new Error('no chargeledger-tariff config node selected');
      }
      if (msg.kind === 'config') {
        if (msg.topic !== 'tariffs') return; // other config topics belong to other nodes
        const label = `chargeledger-price${node.name ? ` "${node.name}"` : ` ${node.id}`}`;
        let applied: boolean;
        try {
          applied = tariff.replace(msg.payload);
        } catch (e) {
          reportConfig(msg, node.id, label, (e as Error).message);
          throw e;
        }
        const v = tariff.config?.version;
        if (applied) {
          statusOk(node, `tariff v${v}`);
          reportConfig(msg, node.id, label);
        } else {
          const why = `tariff version ${(msg.payload as { version?: unknown })?.version} is not newer than version ${v} in force`;
          statusWarn(node, `kept tariff v${v}`);
          reportConfig(msg, node.id, label, why);
          if (!msg.stored) node.warn(`ignored config/tariffs: ${why}`);
        }
        return;
      }
      if (msg.topic === 'prices') {
        const feed = tariff.setPrices(msg.payload, now());
        statusOk(node, `prices: ${feed.entries.length}`);
        return;
      }
      if (msg.kind !== 'session') throw new Error(`expected msg.kind 'session', 'config' or topic 'prices', got ${JSON.stringify(msg.kind)}`);
      const cfg = tariff.config;
      if (!cfg) throw new Error(`tariff configuration invalid: ${tariff.failure?.message ?? 'none'}`);
      if (!isSession(msg.payload)) throw new TariffError('msg.payload is not a finished session (needs id, startTime, endTime)');
      const reservation = msg.reservation === undefined ? undefined : (msg.reservation as ReservationInput);
      if (reservation !== undefined && (typeof reservation !== 'object' || reservation === null)) throw new TariffError('msg.reservation must be {start, end, expired}');
      try {
        const pricing = priceSession(msg.payload, { sell: cfg.sell, buy: cfg.buy, timezone: cfg.timezone, dynamic: tariff.dynamic, nowMs: now(), reservation });
        msg.pricing = pricing;
        send(msg);
        if (pricing.unattributed) statusWarn(node, 'unattributed: 0');
        else if (pricing.cost?.dynamicFallback) statusWarn(node, `${pricing.revenue.total.inclVat} fallback`);
        else statusOk(node, `${pricing.revenue.total.inclVat} ${pricing.currency}`);
      } catch (e) {
        statusFault(node, 'pricing failed');
        throw e;
      }
    }, () => statusFault(node, 'error'));
  });
}

import { priceSession, TariffError, versionHash, type ReservationInput, type TariffConfig } from '../core/tariff';
import { reportConfig } from './lib/config-apply';
import { InputRefused, onInput, refusalStatus } from './lib/input';
import { parseSession } from '../core/contract';
import { parseInput } from './lib/parse-input';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusIdle, statusOk, statusWarn } from './lib/status';
import type { TariffConfigNode } from './tariff';

/** The session went on unpriced: the status already says so. */
class UnpricedError extends Error {}

/** What a record carries when its session could not be priced: the reason and the tariff then in force. */
export function unpricedResult(reason: string, cfg: TariffConfig | undefined): { status: 'failed'; reason: string; tariffId?: string; tariffVersion?: number; tariffHash?: string } {
  return { status: 'failed', reason, ...(cfg ? { tariffId: cfg.sell.id, tariffVersion: cfg.version, tariffHash: versionHash(cfg.sell) } : {}) };
}

/** Registers `chargeledger-price`: adds msg.pricing (revenue, cost, margin) to finished sessions. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-price', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node: Node = this; // eslint-disable-line @typescript-eslint/no-this-alias -- used in callbacks
    const tariff = RED.nodes.getNode(String(def.tariff ?? '')) as TariffConfigNode | null;
    const now = (): number => Date.now();
    if (!tariff) statusFault(RED, node, 'noTariff');
    else if (tariff.failure || !tariff.config) statusFault(RED, node, 'tariffInvalid');
    else statusIdle(RED, node, 'tariff', { id: tariff.config.sell.id });

    /**
     * "Cost so far": an 'updated' session event carries `session.soFar`, the open session as if it
     * ended at its last reading; it is priced exactly as a finished session and sent on with
     * msg.pricing (kind stays 'session-event', so a record node never takes it for a finished one).
     * Other session events are ignored: only an open session has a cost so far.
     */
    const priceSoFar = (msg: NodeMessage, send: (m: NodeMessage) => void): void => {
      const ev = msg.payload as { type?: unknown; session?: { soFar?: unknown } } | undefined;
      if (!ev || ev.type !== 'updated') return;
      const parsedSoFar = parseSession(ev.session?.soFar);
      if (!parsedSoFar.ok) throw new TariffError(`session-event 'updated' has no session.soFar to price (a session node of this version sends it): ${parsedSoFar.reason}`);
      const soFar = parsedSoFar.value;
      const cfg = tariff!.config;
      if (!cfg) throw new TariffError(`tariff configuration invalid: ${tariff!.failure?.message ?? 'none'}`);
      msg.pricing = priceSession(soFar, { sell: cfg.sell, buy: cfg.buy, timezone: cfg.timezone, dynamic: tariff!.dynamic, nowMs: now() });
      send(msg);
    };

    onInput(node, async (msg: NodeMessage, send) => {
      if (!tariff) {
        reportConfig(msg, node.id, `chargeledger-price ${node.id}`, 'no chargeledger-tariff config node selected');
        throw new Error('no chargeledger-tariff config node selected');
      }
      if (msg.topic === 'prices' && msg.kind === undefined) {
        const feed = tariff.setPrices(msg.payload, now());
        statusOk(RED, node, 'prices', { count: feed.entries.length });
        return;
      }
      const parsed = parseInput(msg, ['config', 'session', 'session-event']);
      if (!parsed.ok) {
        reportConfig(msg, node.id, `chargeledger-price ${node.id}`, parsed.reason);
        throw new InputRefused(parsed.reason);
      }
      if (parsed.value.kind === 'config') {
        const config = parsed.value.value;
        if (config.topic !== 'tariffs') return; // other config topics belong to other nodes
        const label = `chargeledger-price${node.name ? ` "${node.name}"` : ` ${node.id}`}`;
        let applied: boolean;
        try {
          applied = tariff.replace(config.payload);
        } catch (e) {
          reportConfig(msg, node.id, label, (e as Error).message);
          throw e;
        }
        const v = tariff.config?.version;
        if (applied) {
          statusOk(RED, node, 'tariffVersion', { version: v });
          reportConfig(msg, node.id, label);
        } else {
          const why = `tariff version ${String(config.payload.version)} is not newer than version ${v} in force`;
          statusWarn(RED, node, 'keptTariff', { version: v });
          reportConfig(msg, node.id, label, why);
          if (!msg.stored) node.warn(`ignored config/tariffs: ${why}`);
        }
        return;
      }
      if (parsed.value.kind === 'session-event') return priceSoFar(msg, send);
      const session = parsed.value.value.session;
      const cfg = tariff.config;
      const reservation = msg.reservation === undefined ? undefined : (msg.reservation as ReservationInput);
      if (reservation !== undefined && (typeof reservation !== 'object' || reservation === null)) throw new TariffError('msg.reservation must be {start, end, expired}');
      // A session is never held back by its price: if it cannot be priced, it goes on to the ledger
      // unpriced, flagged, with the tariff that was in force, so that it can be priced later.
      let failure: string;
      if (cfg) {
        try {
          const pricing = priceSession(session, { sell: cfg.sell, buy: cfg.buy, timezone: cfg.timezone, dynamic: tariff.dynamic, nowMs: now(), reservation });
          msg.pricing = pricing;
          send(msg);
          if (pricing.unattributed) statusWarn(RED, node, 'unattributed');
          else if (pricing.cost?.dynamicFallback) statusWarn(RED, node, 'fallback', { total: pricing.revenue.total.inclVat });
          else statusOk(RED, node, 'priced', { total: pricing.revenue.total.inclVat, currency: pricing.currency });
          return;
        } catch (e) {
          failure = (e as Error).message;
        }
      } else failure = `tariff configuration invalid: ${tariff.failure?.message ?? 'none'}`;
      msg.payload = { ...session, flags: session.flags.includes('pricing_failed') ? session.flags : [...session.flags, 'pricing_failed'] };
      msg.pricing = unpricedResult(failure, cfg);
      send(msg);
      statusFault(RED, node, 'unpriced');
      throw new UnpricedError(`session ${session.id} recorded unpriced (flag pricing_failed): ${failure}`);
    }, (err) => {
      if (err instanceof InputRefused) statusFault(RED, node, ...refusalStatus(err.message));
      else if (!(err instanceof UnpricedError)) statusFault(RED, node, 'error');
    });
  });
}

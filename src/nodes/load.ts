// chargeledger-load: local load limiting. Decides every connector's current setpoint on each
// site-meter reading (no polling loop) and emits one setpoint message per connector. A single
// watchdog timer drives the fail-safe when the site meter falls silent.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventEmitter } from 'node:events';
import { safeCurrentWarning } from '../core/load/config';
import { LoadController } from '../core/load/controller';
import { SetpointSendFilter } from '../core/load/send-filter';
import type { LoadTuning, Setpoint } from '../core/load/types';
import { reportConfig } from './lib/config-apply';
import { onInput, onParsedInput } from './lib/input';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusOk, statusWarn } from './lib/status';
import { parseLoadDef } from './load-def';

/** Connector states of load nodes being redeployed, by node id: a redeploy is not a restart. */
const carried = new Map<string, ReturnType<LoadController['exportStates']>>();

/**
 * Send the setpoint messages: one per connector, all on output 1, sharing one _msgid. Why one
 * send() per message: Node-RED deep-clones every message after the first of a send() call, and
 * these objects are fresh and never reused, so 31 clones per decision were pure latency.
 */
function sendSetpoints(send: (msg: NodeMessage) => void, setpoints: Setpoint[]): void {
  if (setpoints.length === 0) return;
  const msgid = randomBytes(8).toString('hex');
  for (const sp of setpoints) send({ _msgid: msgid, kind: 'setpoint', topic: sp.connectorId, payload: sp });
}

/** How config/result names this node. */
const configLabel = (node: Node): string => `chargeledger-load${node.name ? ` "${node.name}"` : ` ${node.id}`}`;

/** Register the chargeledger-load node type. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType(
    'chargeledger-load',
    function (this: Node, def: NodeDef) {
      def = migrateDef(def);
      RED.nodes.createNode(this, def);
      const node: Node = this; // eslint-disable-line @typescript-eslint/no-this-alias -- closures below need the node
      let cfg: ReturnType<typeof parseLoadDef>;
      try {
        cfg = parseLoadDef(def, (RED.settings.chargeledgerLoadTuning ?? {}) as Partial<LoadTuning>);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        node.error(err.message);
        statusFault(RED, node, 'configError');
        onInput(node, (msg) => {
          reportConfig(msg, node.id, configLabel(node), `not configured: ${err.message}`);
          throw new Error(`not configured: ${err.message}`);
        });
        return;
      }
      const t = cfg.load.tuning;
      const overload = safeCurrentWarning(cfg.load);
      if (overload) node.warn(`chargeledger-load: ${overload}`);
      const mono = (): number => performance.now();
      const ctl = new LoadController(cfg.load, mono());
      // Why: chargers report a state only when it changes; without this, every deploy would leave
      // all connectors unknown (held at the safe current) until their next event.
      const saved = carried.get(node.id);
      carried.delete(node.id);
      if (saved) ctl.restoreStates(saved);
      let watchdog: NodeJS.Timeout | undefined;
      let closed = false;
      // send: changes → only what changed, and each setpoint again at half its validity.
      const filter = cfg.send === 'changes' ? new SetpointSendFilter((t.validForS * 1000) / 2) : null;
      const toSend = (setpoints: Setpoint[]): Setpoint[] => (filter ? filter.select(setpoints, mono()) : setpoints);

      const showStatus = (): void => {
        const site = ctl.failSafeReason ? null : ctl.siteLoad(Date.now());
        if (!site) statusWarn(RED, node, `safe.${ctl.failSafeReason ?? 'no_site_reading'}`);
        else statusOk(RED, node, 'site', { currentA: Math.round(site.currentA), limitA: Math.floor(site.limitA) });
      };
      const emit = (setpoints: Setpoint[]): void => {
        sendSetpoints((m) => node.send(m), toSend(setpoints));
        showStatus();
      };
      // Why a timer at all: a dead meter sends nothing, so only a timer can notice. While the
      // fail-safe lasts it re-sends the safe setpoints before their validity runs out.
      const arm = (ms: number): void => {
        if (closed) return;
        if (watchdog) clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          emit(ctl.decide(mono(), Date.now()));
          arm(Math.max(1000, (t.validForS * 1000) / 2));
        }, ms);
      };
      const restart = (): void => {
        if (!closed) emit(ctl.failSafe(mono(), Date.now(), 'restart'));
      };
      // After a (re)start every setpoint begins at the safe current; send them once the flows run.
      const events = (RED as unknown as { events?: EventEmitter }).events;
      if (events) events.once('flows:started', restart);
      else setImmediate(restart);
      showStatus();
      arm(t.siteTimeoutMs);

      onParsedInput(node, ['reading', 'health', 'config', 'charger-event'], (input, msg, send) => {
        const decideAndSend = (): void => {
          sendSetpoints(send, toSend(ctl.decide(mono(), Date.now())));
          showStatus();
        };
        switch (input.kind) {
          case 'reading': {
            const r = input.value;
            if (!r.currentA) throw new Error(`reading of ${r.meterId} has no currentA: the load node needs the current per phase`);
            const id = String(msg.topic ?? r.meterId);
            const nowMono = mono();
            // A reading that waited in a queue is as old as its telegram, not as its arrival.
            const ageMs = Math.max(0, Date.now() - r.timeMs);
            const sample = { currentA: r.currentA, powerW: r.powerW, voltageV: r.voltageV, atMs: nowMono - ageMs };
            if (id === cfg.siteMeterId) {
              ctl.siteReading(sample);
              decideAndSend();
              arm(t.siteTimeoutMs);
            } else {
              ctl.connectorReading(id, sample); // readings of other meters on the bus are ignored
            }
            return;
          }
          case 'health': {
            const h = input.value;
            if (String(msg.topic ?? h.meterId) !== cfg.siteMeterId) return;
            ctl.siteHealth(h.state === 'ok');
            if (h.state !== 'ok') decideAndSend();
            return;
          }
          case 'config': {
            if (input.value.topic !== 'limits') return; // tariffs and other configs are not ours
            const p = input.value.payload;
            try {
              ctl.setLimits(p);
            } catch (e) {
              reportConfig(msg, node.id, configLabel(node), (e as Error).message);
              throw e;
            }
            reportConfig(msg, node.id, configLabel(node));
            node.log(`limits updated${typeof p.issuedAt === 'string' ? ` (issued ${p.issuedAt})` : ''}`);
            decideAndSend();
            return;
          }
          case 'charger-event':
            ctl.event(input.value, mono());
            // State changes act at once when the site reading is fresh; otherwise the fail-safe holds.
            decideAndSend();
            return;
        }
      });

      node.on('close', (removed: boolean, done: () => void) => {
        closed = true;
        if (!removed) carried.set(node.id, ctl.exportStates());
        if (watchdog) clearTimeout(watchdog);
        events?.removeListener('flows:started', restart);
        done();
      });
    },
    { settings: { chargeledgerLoadTuning: { value: {}, exportable: false } } },
  );
}

// Node `chargeledger-meter`: readings (output 1) and health changes (output 2) of the meters on
// a chargeledger-meter-port. A reading is sent synchronously on the line that completes its
// telegram and never again: when a meter falls silent, its health says stale instead.
import type { MeterEvent } from '../core/meter/events';
import { MeterHealthSet } from '../core/health/health-set';
import type { Clock } from '../core/health/meter-health';
import { meterStatusKey } from '../core/health/status-text';
import type { MeterHealth } from '../core/types';
import type { LinkState } from '../adapters/serial/meter-link';
import type { MeterPortNode, MeterPortUser } from './meter-port';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusOk, statusWarn } from './lib/status';

const SYSTEM_CLOCK: Clock = { nowMs: () => Date.now(), monoMs: () => performance.now() };
/** How often the "stale 45s" text is refreshed, ms. */
const STALE_TEXT_REFRESH_MS = 5000;

const healthMsg = (h: MeterHealth): NodeMessage => ({ kind: 'health', topic: h.meterId, payload: h });

/** Register the meter node. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-meter', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node: Node = this as Node;
    const port = RED.nodes.getNode(String(def.port ?? '')) as MeterPortNode | null;
    if (!port || typeof port.addUser !== 'function') {
      statusFault(RED, node, 'noPort');
      node.error('no meter port configured: pick or add a chargeledger-meter-port');
      return;
    }
    const filter = String(def.meterId ?? '').trim() || null;
    const health = new MeterHealthSet({ staleAfterMs: port.staleTimeoutMs, filter, portLabel: port.address }, SYSTEM_CLOCK);
    let lastPowerW: number | undefined;
    let timer: NodeJS.Timeout | null = null;

    function showStatus(): void {
      if (port!.configError) return statusFault(RED, node, 'portConfigError');
      const sum = health.summary();
      const s = meterStatusKey({ ...sum, powerW: lastPowerW });
      // An unchanged status is not re-sent (lib/status), so this may run on every reading.
      if (s.level === 'ok') statusOk(RED, node, s.key, s.params);
      else if (s.level === 'warn') statusWarn(RED, node, s.key, s.params);
      else statusFault(RED, node, s.key, s.params);
    }

    // One pending timer at most: it fires at the earliest moment a meter could go stale and
    // re-arms for the remainder if readings came in meanwhile.
    function arm(): void {
      if (timer) return;
      const next = health.nextCheckInMs();
      const delay = next !== null ? Math.max(0, next) + 1 : health.anyStale() ? STALE_TEXT_REFRESH_MS : null;
      if (delay === null) return;
      timer = setTimeout(() => {
        timer = null;
        const changes = health.check();
        if (changes.length) node.send([null, changes.map(healthMsg)]);
        showStatus();
        arm();
      }, delay);
    }

    function changed(changes: MeterHealth[], reading: NodeMessage | null): void {
      if (reading || changes.length) node.send([reading, changes.length ? changes.map(healthMsg) : null]);
      showStatus();
      arm();
    }

    const user: MeterPortUser = {
      onDecoded(ev: MeterEvent) {
        if (ev.ok) {
          const r = ev.reading;
          // Every meter seen counts: it tells whether a corrupt telegram can only be ours.
          const changes = health.reading(r.meterId);
          if (!health.accepts(r.meterId)) return;
          lastPowerW = r.powerW;
          changed(changes, { kind: 'reading', topic: r.meterId, payload: r });
        } else {
          changed(health.rejected(ev.reason, ev.meterId), null);
        }
      },
      onLink(s: LinkState, replay: boolean) {
        if (s.connected) changed(health.sourceOpened(), null);
        else changed(health.sourceClosed(replay ? undefined : health.summary().connected ? 'disconnected' : 'open_failed'), null);
      },
    };

    statusWarn(RED, node, port.configError ? 'portConfigError' : 'connecting');
    port.addUser(user);

    node.on('close', (_removed: boolean, done: () => void) => {
      if (timer) clearTimeout(timer);
      timer = null;
      port.removeUser(user);
      done();
    });
  });
}

// chargeledger-session: one per charger; turns charger events and meter readings into sessions.
import { randomBytes } from 'node:crypto';
import { ChargerSessions } from '../core/session/charger';
import type { Now } from '../core/session/machine';
import type { Session } from '../core/types';
import { configNode, type LedgerConfigNode } from './lib/config-nodes';
import { onInput, onParsedInput } from './lib/input';
import type { InputOf } from './lib/parse-input';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusIdle, statusOk, statusWarn } from './lib/status';
import { parseSessionDef } from './session-def';

/** Identifies this process run: a checkpoint from another boot id means the controller restarted (power loss). */
const BOOT_ID = randomBytes(6).toString('hex');

const now = (): Now => ({ wallMs: Date.now(), monoMs: performance.now() });

/** Runs async jobs one at a time (inputs, timer ticks and store writes never interleave). */
function serial(): (job: () => Promise<void> | void) => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return (job) => {
    const p = chain.then(job);
    chain = p.catch(() => undefined);
    return p;
  };
}

/** Registers `chargeledger-session`. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-session', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the closures below (timer, close) need the node
    const node = this;
    let ledger: LedgerConfigNode;
    let charger: ChargerSessions;
    let cfg: ReturnType<typeof parseSessionDef>;
    try {
      ledger = configNode<LedgerConfigNode>(RED, def.ledger, 'chargeledger-ledger');
      cfg = parseSessionDef(def, ledger.stationId);
      charger = new ChargerSessions(cfg.session, cfg.connectors, { bootId: BOOT_ID, randomSuffix: () => randomBytes(3).toString('hex') }, cfg.checkpointIntervalMs);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      statusFault(RED, node, 'configError');
      node.error(`chargeledger-session: ${err.message}`);
      onInput(node, () => {
        throw err;
      });
      return;
    }
    const store = ledger.checkpoints;
    // Keep the ledger's database open until this node has saved its checkpoints on close.
    ledger.addUser(node.id);
    const run = serial();
    const tickMs = Number(RED.settings.chargeledgerSessionTickMs ?? 1000);
    let lastUpdateMono = performance.now();
    // Why: 'updated' events carry figures that only a reading changes; without one (a stale meter) there is nothing new to say.
    let readingSinceUpdate = false;
    let failed: string | null = null;

    const out = (send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, events: NodeMessage[], sessions: NodeMessage[]): void => {
      if (events.length || sessions.length) send([events.length ? events : null, sessions.length ? sessions : null]);
    };

    /** Persist what the machines produced, then send it: a finished session is durable before it leaves. */
    const flush = async (send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void): Promise<void> => {
      const events: NodeMessage[] = [];
      const sessions: NodeMessage[] = [];
      let saveError: Error | undefined;
      // Why: a failed write must not swallow a finished session; it still goes out (the ledger has its own store) and the error is reported.
      const save = async (w: { sessionId: string; state: unknown }): Promise<void> => {
        try {
          await store.save(w.sessionId, w.state);
        } catch (e) {
          charger.saveFailed(w.sessionId);
          saveError = new Error(`checkpoint ${w.sessionId} not saved: ${(e as Error).message}`);
        }
      };
      for (const o of charger.drain()) {
        if (o.session) {
          await save(charger.finishedCheckpoint(o.connectorId, o.session));
          sessions.push({ kind: 'session', topic: o.connectorId, payload: o.session });
          logRecovery(o.session);
        }
        events.push({ kind: 'session-event', topic: o.connectorId, payload: { type: o.type, session: o.session ?? o.snapshot } });
      }
      const t = now();
      for (const w of charger.checkpointsDue(t, t.wallMs)) await save(w);
      if (cfg.updateIntervalMs > 0 && readingSinceUpdate && t.monoMs - lastUpdateMono >= cfg.updateIntervalMs) {
        lastUpdateMono = t.monoMs;
        readingSinceUpdate = false;
        for (const s of charger.updates()) events.push({ kind: 'session-event', topic: s.connectorId, payload: { type: 'updated', session: s } });
      }
      out(send, events, sessions);
      showStatus();
      if (saveError) throw saveError;
    };

    /** What a restart did to a session, for the technician: energy that no driver is billed for is worth a warning. */
    const logRecovery = (x: Session): void => {
      const span = `${x.startReading.energyWh}..${x.endReading.energyWh} Wh`;
      if (x.type === 'unattributed') node.warn(`connector ${x.connectorId}: ${x.energyWh} Wh (${span}) unattributed (${x.unattributed?.reason ?? 'unknown'}): no driver is billed for it`);
      else if (x.flags.includes('recovered:power_loss')) node.warn(`connector ${x.connectorId}: session ${x.id}${x.idTag ? ` (${x.idTag})` : ''} closed after a restart at ${span}: the charger did not report the same driver still charging`);
      else if (x.flags.includes('recovered:resumed')) node.log(`connector ${x.connectorId}: session ${x.id} resumed after a restart (${span})`);
    };

    const showStatus = (): void => {
      if (failed) return statusFault(RED, node, 'checkpointsFailed');
      const machines = [...charger.connectors.values()];
      const charging = machines.filter((m) => m.state === 'charging');
      const stale = machines.some((m) => m.session && m.meterHealth !== 'ok');
      const open = machines.filter((m) => m.session).length;
      const kW = charging.reduce((a, m) => a + (m.session?.powerW ?? 0), 0) / 1000;
      if (machines.some((m) => m.state === 'recovering')) return statusWarn(RED, node, 'recovering');
      if (stale) return statusWarn(RED, node, `openMeter.${machines.find((m) => m.session && m.meterHealth !== 'ok')!.meterHealth}`, { count: open });
      if (charging.length) return statusOk(RED, node, 'charging', { count: charging.length, kW: kW.toFixed(1) });
      if (open) return statusOk(RED, node, 'open', { count: open });
      statusIdle(RED, node, 'idle');
    };

    // Recovery first: every input waits behind it in the same queue.
    const recovered = run(async () => {
      statusWarn(RED, node, 'recovering');
      const report = charger.recover(await store.loadAll());
      for (const i of report.ignored) node.warn(`checkpoint ${i.sessionId} ignored: ${i.error}`);
      if (report.restored.length) node.log(`recovered open sessions: ${report.restored.join(', ')}`);
      // Finished sessions that may not have reached the ledger go out again; the ledger dedupes by id.
      const sessions = report.reemit.map((s) => ({ kind: 'session', topic: s.connectorId, payload: s, reemitted: true }));
      out((m) => node.send(m), [], sessions);
      await flush((m) => node.send(m));
    }).catch((e: Error) => {
      failed = 'checkpoints failed';
      node.error(`chargeledger-session: loading checkpoints failed: ${e.message}`);
      statusFault(RED, node, 'checkpointsFailed');
    });

    onParsedInput(node, ['reading', 'health', 'setpoint', 'charger-event'], (input, msg, send) =>
      run(async () => {
        await recovered;
        handle(input, msg);
        await flush(send);
      }),
    );

    /** Apply one parsed input to the charger's machines. */
    function handle(input: InputOf<'reading' | 'health' | 'setpoint' | 'charger-event'>, msg: NodeMessage): void {
      switch (input.kind) {
        case 'reading':
          charger.handleReading(String(msg.topic ?? input.value.meterId), input.value);
          readingSinceUpdate = true;
          return;
        case 'health':
          charger.handleHealth(String(msg.topic ?? input.value.meterId), input.value, now());
          return;
        case 'setpoint':
          // From the load node: a 0 A setpoint means the station withholds power (held time, not parking).
          charger.handleSetpoint(input.value.connectorId, input.value.currentA, now());
          return;
        case 'charger-event': {
          const m = charger.connectors.get(input.value.connectorId);
          const before = m?.state;
          charger.handleEvent(input.value, now());
          const ev = input.value;
          if (before === 'recovering' && 'cpState' in ev) {
            node.log(`connector ${ev.connectorId}: the charger reports ${ev.cpState}${ev.idTag ? ` (${ev.idTag})` : ''}${ev.report ? ' on reconnect' : ''}: the interrupted session ${m?.state === 'recovering' ? 'waits' : m?.session?.flags.includes('recovered:resumed') ? 'resumes' : 'is closed'}`);
          }
          return;
        }
      }
    }

    const timer = setInterval(() => {
      run(async () => {
        charger.tick(now());
        await flush((m) => node.send(m));
      }).catch((e: Error) => node.error(`chargeledger-session: ${e.message}`));
    }, tickMs);

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      // Save every open session so a redeploy resumes it exactly (same boot id); nothing is closed here.
      run(async () => {
        const t = now();
        for (const w of charger.allOpenCheckpoints(t.wallMs)) await store.save(w.sessionId, w.state);
      })
        .catch((e: Error) => node.warn(`saving checkpoints on close: ${e.message}`))
        .finally(() => {
          ledger.removeUser(node.id);
          done();
        });
    });
    showStatus();
  });
}

// chargeledger-session: one per charger; turns charger events and meter readings into sessions.
import { randomBytes } from 'node:crypto';
import type { CheckpointStore } from '../adapters/ports';
import { ChargerSessions } from '../core/session/charger';
import { isChargerEventPayload, parseChargerEvent } from '../core/session/events';
import type { Now } from '../core/session/machine';
import type { MeterHealth, MeterReading } from '../core/types';
import { onInput } from './lib/input';
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
    RED.nodes.createNode(this, def);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the closures below (timer, close) need the node
    const node = this;
    const ledger = def.ledger ? (RED.nodes.getNode(String(def.ledger)) as (Node & { checkpoints?: CheckpointStore; stationId?: string }) | null) : null;
    let charger: ChargerSessions;
    let cfg: ReturnType<typeof parseSessionDef>;
    try {
      if (!ledger?.checkpoints) throw new Error('no chargeledger-ledger config node selected');
      cfg = parseSessionDef(def, ledger.stationId);
      charger = new ChargerSessions(cfg.session, cfg.connectors, { bootId: BOOT_ID, randomSuffix: () => randomBytes(3).toString('hex') }, cfg.checkpointIntervalMs);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      statusFault(node, 'config error');
      node.error(`chargeledger-session: ${err.message}`);
      onInput(node, () => {
        throw err;
      });
      return;
    }
    const store = ledger.checkpoints;
    // Keep the ledger's database open until this node has saved its checkpoints on close.
    const ledgerUsers = ledger as Partial<{ addUser(id: string): void; removeUser(id: string): void }>;
    ledgerUsers.addUser?.(node.id);
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

    const showStatus = (): void => {
      if (failed) return statusFault(node, failed);
      const machines = [...charger.connectors.values()];
      const charging = machines.filter((m) => m.state === 'charging');
      const stale = machines.some((m) => m.session && m.meterHealth !== 'ok');
      const open = machines.filter((m) => m.session).length;
      const kW = charging.reduce((a, m) => a + (m.session?.powerW ?? 0), 0) / 1000;
      if (machines.some((m) => m.state === 'recovering')) return statusWarn(node, 'recovering');
      if (stale) return statusWarn(node, `${open} open, meter ${machines.find((m) => m.session && m.meterHealth !== 'ok')!.meterHealth}`);
      if (charging.length) return statusOk(node, `${charging.length} charging ${kW.toFixed(1)} kW`);
      if (open) return statusOk(node, `${open} open`);
      statusIdle(node, 'idle');
    };

    // Recovery first: every input waits behind it in the same queue.
    const recovered = run(async () => {
      statusWarn(node, 'recovering');
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
      statusFault(node, failed);
    });

    onInput(node, (msg, send) =>
      run(async () => {
        await recovered;
        handle(msg);
        await flush(send);
      }),
    );

    function handle(msg: NodeMessage): void {
      const p = msg.payload as Record<string, unknown> | undefined;
      if (msg.kind === 'reading') {
        if (!p || typeof p !== 'object') throw new Error('reading: payload must be a MeterReading object');
        charger.handleReading(String(msg.topic ?? p.meterId), p as unknown as MeterReading);
        readingSinceUpdate = true;
      } else if (msg.kind === 'health') {
        if (!p || typeof p !== 'object' || typeof p.state !== 'string') throw new Error('health: payload must be a MeterHealth object');
        charger.handleHealth(String(msg.topic ?? p.meterId), p as unknown as MeterHealth, now());
      } else if (msg.kind === 'setpoint') {
        // From the load node: a 0 A setpoint means the station withholds power (held time, not parking).
        if (!p || typeof p !== 'object' || typeof p.currentA !== 'number' || !Number.isFinite(p.currentA)) throw new Error('setpoint: payload needs connectorId and currentA (A)');
        charger.handleSetpoint(String(p.connectorId ?? msg.topic ?? ''), p.currentA, now());
      } else if (isChargerEventPayload(p)) {
        charger.handleEvent(parseChargerEvent(p), now());
      } else {
        throw new Error("unrecognised message: expected kind 'reading', 'health' or 'setpoint', or a charger event payload {connectorId, event|cpState}");
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
          ledgerUsers?.removeUser?.(node.id);
          done();
        });
    });
    showStatus();
  });
}

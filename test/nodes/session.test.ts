import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../src/adapters/ports';
import type { MeterReading, Session } from '../../src/core/types';
import { Harness } from '../core/session/harness';
import { parseSessionDef } from '../../src/nodes/session-def';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';

const ledgerNode = nodeModule('chargeledger-ledger');
const sessionNode = nodeModule('chargeledger-session');
type Any = Record<string, any>;

const CONNECTORS = [
  { connectorId: '1', meterId: 'CP1-1', ratedPowerW: 11000 },
  { connectorId: '2', meterId: 'CP1-2', ratedPowerW: 22000 },
];

function flow(dataDir: string, extra: Any = {}): unknown[] {
  return [
    { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    { id: 'S', type: 'chargeledger-session', ledger: 'L', chargerId: 'CP1', connectors: CONNECTORS, updateIntervalS: 0, ...extra, wires: [['EV'], ['SE']] },
    { id: 'EV', type: 'helper' },
    { id: 'SE', type: 'helper' },
  ];
}

/** Collect every message a helper node receives. */
function collect(id: string): Any[] {
  const got: Any[] = [];
  nodeRed.getNode(id)!.on('input', (m: Any) => got.push(m));
  return got;
}

let seq = 0;
let register = 5_000_000; // CP1-1's register; other meters get their own
const others = new Map<string, number>();
function reading(meterId: string, addWh: number, powerW: number): Any {
  let energyImportWh: number;
  if (meterId === 'CP1-1') energyImportWh = register += addWh;
  else others.set(meterId, (energyImportWh = (others.get(meterId) ?? 1000) + addWh));
  const r: MeterReading = { meterId, seq: ++seq, timeMs: Date.now(), monoMs: performance.now(), energyImportWh, powerW };
  return { kind: 'reading', topic: meterId, payload: r };
}

function checkpoints(): CheckpointStore {
  return (nodeRed.getNode('L') as Any).checkpoints as CheckpointStore;
}

describe('chargeledger-session node', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'session-node-'));
    nodeRed.settings({ chargeledgerSessionTickMs: 50 });
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns events and readings into a finished session with exact energy, checkpointed before it leaves', async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    const events = collect('EV');
    const sessions = collect('SE');
    const S = nodeRed.getNode('S')!;
    const start = register;
    S.receive(reading('CP1-1', 0, 0));
    S.receive({ payload: { connectorId: '1', event: 'authorize', idTag: 'RFID-1' } });
    S.receive({ payload: { connectorId: '1', cpState: 'B' } });
    S.receive({ payload: { connectorId: '1', cpState: 'C' } });
    await waitFor(() => events[0]); // recovery done, the session is open
    for (let i = 0; i < 5; i++) S.receive(reading('CP1-1', 3, 11000));
    S.receive(reading('CP1-2', 100, 0)); // another connector's meter: no session there
    S.receive(reading('SITE', 1000, 0)); // not ours: ignored
    S.receive({ payload: { connectorId: '1', event: 'stop', reason: 'remote' } });
    // the end register is the first reading stamped after the stop
    await new Promise((r) => setTimeout(r, 20));
    S.receive(reading('CP1-1', 1, 0));
    const msg = await waitFor(() => sessions[0]);
    const s = msg.payload as Session;
    expect(msg.kind).toBe('session');
    expect(msg.topic).toBe('1');
    expect(s.energyWh).toBe(16);
    expect(s.startReading.energyWh).toBe(start);
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    expect(s).toMatchObject({ stationId: 'ST1', chargerId: 'CP1', connectorId: '1', idTag: 'RFID-1', stopReason: 'remote' });
    expect(events.map((e) => [e.kind, e.payload.type])).toEqual([
      ['session-event', 'started'],
      ['session-event', 'finished'],
    ]);
    const stored = await checkpoints().loadAll();
    expect(stored.filter((c) => (c.state as Any).kind !== 'last_reading')).toEqual([{ sessionId: s.id, state: expect.objectContaining({ kind: 'finished', session: s }) }]);
    // Each connector's last register is kept for the next restart (connector 2 never had a session).
    expect(Object.fromEntries(stored.filter((c) => (c.state as Any).kind === 'last_reading').map((c) => [(c.state as Any).connectorId, (c.state as Any).reading.energyWh]))).toEqual({
      '1': s.endReading.energyWh,
      '2': 1100,
    });
  });

  it("emits 'updated' events at the update interval and shows charging power in the status", async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir, { updateIntervalS: 0.1 }));
    const events = collect('EV');
    const S = nodeRed.getNode('S')!;
    const status = new Promise((resolve) => S.on('call:status', (c: { args: Any[] }) => c.args[0].text === '1 charging 7.4 kW' && resolve(c.args[0])));
    S.receive(reading('CP1-2', 0, 0));
    S.receive({ payload: { connectorId: '2', event: 'start' } });
    S.receive(reading('CP1-2', 2, 7400));
    await waitFor(() => events.find((e) => e.payload.type === 'updated'));
    expect(await status).toMatchObject({ fill: 'green', shape: 'dot' });
    const upd = events.find((e) => e.payload.type === 'updated')!;
    expect(upd.topic).toBe('2');
    expect(upd.payload.session).toMatchObject({ state: 'charging', energyWh: 2, powerW: 7400 });
  });

  it("sends 'updated' at most once per reading, with soFar: the session as it would be recorded now", async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir, { updateIntervalS: 0.1 }));
    const events = collect('EV');
    const S = nodeRed.getNode('S')!;
    const updated = () => events.filter((e) => e.payload.type === 'updated');
    S.receive(reading('CP1-2', 0, 0));
    S.receive({ payload: { connectorId: '2', event: 'start' } });
    S.receive(reading('CP1-2', 2, 7400));
    await waitFor(() => updated()[0]);
    // Ten ticks and a charger event, but no reading: nothing new to report.
    await new Promise((r) => setTimeout(r, 500));
    S.receive({ payload: { connectorId: '2', event: 'suspend_ev' } });
    S.receive({ kind: 'setpoint', payload: { connectorId: '2', currentA: 16 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(updated()).toHaveLength(1);
    const first = updated()[0].payload.session;
    expect(first.soFar).toMatchObject({ id: first.id, connectorId: '2', energyWh: 2, stopReason: 'unknown' });
    const startWh = first.soFar.startReading.energyWh;
    expect(first.soFar.endReading.energyWh).toBe(startWh + 2);
    expect(first.soFar.periods.length).toBeGreaterThan(0);
    S.receive(reading('CP1-2', 3, 7400));
    await waitFor(() => updated()[1]);
    expect(updated()[1].payload.session.soFar).toMatchObject({ energyWh: 5, endReading: { energyWh: startWh + 5 } });
  });

  it('defaults to an update every 5 s', async () => {
    expect(parseSessionDef({ id: 'S', type: 'chargeledger-session', chargerId: 'CP1', connectors: CONNECTORS }, 'st').updateIntervalMs).toBe(5000);
  });

  it('reports a malformed charger event as an error on the message (for Catch nodes)', async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    const S = nodeRed.getNode('S')!;
    const err = new Promise<Any[]>((resolve) => S.on('call:error', (c: { args: Any[] }) => resolve(c.args)));
    S.receive({ payload: { connectorId: '7', event: 'plug' } });
    const args = await err;
    expect(String(args[0])).toMatch(/unknown connector 7/);
    const err2 = new Promise<Any[]>((resolve) => S.on('call:error', (c: { args: Any[] }) => resolve(c.args)));
    S.receive({ payload: 'hello' });
    expect(String((await err2)[0])).toMatch(/unrecognised message/);
  });

  it('shows a configuration error without a ledger or with bad connectors', async () => {
    await nodeRed.load([ledgerNode, sessionNode], [
      { id: 'S', type: 'chargeledger-session', chargerId: 'CP1', connectors: CONNECTORS, wires: [[], []] },
      { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
      { id: 'S2', type: 'chargeledger-session', ledger: 'L', chargerId: 'CP1', connectors: [{ connectorId: '1', meterId: 'M', ratedPowerW: -5 }], wires: [[], []] },
    ]);
    for (const id of ['S', 'S2']) {
      const n = nodeRed.getNode(id)! as Any;
      const err = new Promise<Any[]>((resolve) => n.on('call:error', (c: { args: Any[] }) => resolve(c.args)));
      n.receive({ payload: { connectorId: '1', event: 'plug' } });
      expect(String((await err)[0])).toMatch(id === 'S' ? /no ledger \(chargeledger-ledger\) selected/ : /ratedPowerW/);
    }
  });

  /** A session written by an earlier process (another boot id) 2 minutes ago, stored in the ledger's checkpoints. */
  async function earlierSession(): Promise<{ sessionId: string; h: Harness }> {
    const h = new Harness({}, 'earlier-boot');
    h.wallMs = Date.now() - 180_000;
    h.register.set('CP1-1', 7_000_000);
    h.reading('CP1-1', 0, 0);
    h.event({ connectorId: '1', event: 'authorize', idTag: 'RFID-7' });
    h.event({ connectorId: '1', event: 'start' });
    h.charge('CP1-1', 11000, 60);
    const [saved] = h.checkpoints();
    await nodeRed.load([ledgerNode], [{ id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 }]);
    await checkpoints().save(saved.sessionId, saved.state);
    await nodeRed.unload();
    register = h.register.get('CP1-1')! + 40; // the meter counted on while the controller was down
    seq = 0; // the meter source restarted too
    return { sessionId: saved.sessionId, h };
  }

  it("after a power loss, the charger's state report C resumes the open session with all the energy", async () => {
    const { sessionId } = await earlierSession();
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    const sessions = collect('SE');
    const S = nodeRed.getNode('S')!;
    S.receive(reading('CP1-1', 0, 11000));
    S.receive({ payload: { connectorId: '1', cpState: 'C', idTag: 'RFID-7', report: 'status', timeMs: Date.now() } });
    S.receive(reading('CP1-1', 10, 11000));
    S.receive({ payload: { connectorId: '1', cpState: 'A' } });
    await new Promise((r) => setTimeout(r, 200)); // the closing reading is stamped after the stop was handled
    S.receive(reading('CP1-1', 0, 0));
    const s = (await waitFor(() => sessions[0])).payload as Session;
    expect(s.id).toBe(sessionId);
    expect(s.flags).toContain('recovered:resumed');
    expect(s.idTag).toBe('RFID-7');
    expect(s.energyWh).toBe(183 + 40 + 10);
    expect(sessions).toHaveLength(1);
  });

  it("with recoveryPolicy 'close': closed at its last checkpointed reading; the energy counted while down is an unattributed record", async () => {
    const { sessionId, h } = await earlierSession();
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir, { recoveryPolicy: 'close' }));
    const sessions = collect('SE');
    nodeRed.getNode('S')!.receive(reading('CP1-1', 0, 0));
    await waitFor(() => sessions.length === 2);
    const [s, u] = sessions.map((m) => m.payload as Session);
    expect(s.id).toBe(sessionId);
    expect(s.stopReason).toBe('power_loss');
    expect(s.flags).toContain('recovered:power_loss');
    expect(s.energyWh).toBe(183);
    expect(s.endReading.energyWh).toBe(h.register.get('CP1-1'));
    expect(u).toMatchObject({ type: 'unattributed', energyWh: 40, stopReason: 'unknown', unattributed: { reason: 'controller_restart' } });
    expect(u.startReading.energyWh).toBe(s.endReading.energyWh);
  });

  it('counts a 0 A setpoint from the load node as held time, not parking', async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    const sessions = collect('SE');
    const S = nodeRed.getNode('S')!;
    S.receive(reading('CP1-1', 0, 0));
    S.receive({ payload: { connectorId: '1', cpState: 'C' } });
    S.receive({ kind: 'setpoint', topic: '1', payload: { connectorId: '1', currentA: 0, phases: 3 } });
    await new Promise((r) => setTimeout(r, 1100));
    S.receive({ kind: 'setpoint', topic: '1', payload: { connectorId: '9', currentA: 0, phases: 3 } }); // another charger's
    S.receive({ payload: { connectorId: '1', cpState: 'A' } });
    await new Promise((r) => setTimeout(r, 200)); // the closing reading is stamped after the stop was handled
    S.receive(reading('CP1-1', 0, 0));
    const s = (await waitFor(() => sessions[0])).payload as Session;
    expect(s.heldS).toBeGreaterThanOrEqual(1);
    expect(s.heldS).toBe(s.idleTimeS);
  });

  it('re-emits finished sessions still checkpointed (the ledger dedupes by id)', async () => {
    const h = new Harness({}, 'earlier-boot');
    h.reading('CP1-1', 0, 0);
    h.event({ connectorId: '1', event: 'start' });
    h.charge('CP1-1', 11000, 10);
    h.event({ connectorId: '1', event: 'stop' });
    h.advance(1000);
    h.reading('CP1-1', 0, 0);
    const [fin] = h.finished();
    const ck = h.ch.finishedCheckpoint('1', fin);
    await nodeRed.load([ledgerNode], [{ id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 }]);
    await checkpoints().save(ck.sessionId, ck.state);
    await nodeRed.unload();
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    const sessions = collect('SE');
    const m = await waitFor(() => sessions[0]);
    expect(m.reemitted).toBe(true);
    expect(m.payload).toEqual(fin);
  });

  it('a redeploy keeps the open session: same id, no recovery flags, energy continuous', async () => {
    await nodeRed.load([ledgerNode, sessionNode], flow(dataDir));
    let S = nodeRed.getNode('S')!;
    const started = collect('EV');
    S.receive(reading('CP1-1', 0, 0));
    S.receive({ payload: { connectorId: '1', event: 'start' } });
    S.receive(reading('CP1-1', 5, 11000));
    const id = (await waitFor(() => started[0])).payload.session.id;
    await waitFor(async () => (await checkpoints().loadAll()).some((c) => (c.state as Any).kind === 'open'));
    await nodeRed.setFlows(flow(dataDir, { name: 'renamed' }));
    S = await waitFor(() => nodeRed.getNode('S'));
    const sessions = collect('SE');
    await new Promise((r) => setTimeout(r, 100));
    S.receive(reading('CP1-1', 5, 11000));
    S.receive({ payload: { connectorId: '1', event: 'stop' } });
    await new Promise((r) => setTimeout(r, 5));
    S.receive(reading('CP1-1', 0, 0));
    const s = (await waitFor(() => sessions[0])).payload as Session;
    expect(s.id).toBe(id);
    expect(s.flags).toEqual([]);
    expect(s.energyWh).toBe(10);
  });

  it('a checkpoint write that fails does not swallow the finished session; the error is reported', async () => {
    // A test-only config node whose store fails every save (a full or broken disk cannot be caused safely).
    const failingLedger = (RED: Any) =>
      // It stands in for the ledger under its type: the session node takes only a chargeledger-ledger.
      RED.nodes.registerType('chargeledger-ledger', function (this: Any, def: Any) {
        RED.nodes.createNode(this, def);
        this.stationId = 'ST1';
        this.addUser = () => undefined;
        this.removeUser = () => undefined;
        this.checkpoints = { save: () => Promise.reject(new Error('disk full')), loadAll: async () => [], delete: async () => undefined };
      });
    await nodeRed.load([failingLedger, sessionNode], [
      { id: 'F', type: 'chargeledger-ledger' },
      { id: 'S', type: 'chargeledger-session', ledger: 'F', chargerId: 'CP1', connectors: CONNECTORS, updateIntervalS: 0, wires: [[], ['SE']] },
      { id: 'SE', type: 'helper' },
    ]);
    const sessions = collect('SE');
    const S = nodeRed.getNode('S')!;
    const errors: string[] = [];
    S.on('call:error', (c: { args: Any[] }) => errors.push(String(c.args[0])));
    S.receive(reading('CP1-1', 0, 0));
    S.receive({ payload: { connectorId: '1', event: 'start' } });
    S.receive(reading('CP1-1', 4, 11000));
    await waitFor(() => errors.length > 0);
    S.receive({ payload: { connectorId: '1', event: 'stop' } });
    await new Promise((r) => setTimeout(r, 20));
    S.receive(reading('CP1-1', 0, 0));
    const m = await waitFor(() => sessions[0]);
    expect(m.payload.energyWh).toBe(4);
    expect(errors[0]).toMatch(/not saved: disk full/);
  });
});

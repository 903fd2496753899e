// chargeledger-report over a real chargeledger-ledger (LevelDB in a temp dir).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { series, session } from '../core/tariff/session-helpers';

const ledgerNode = nodeModule('chargeledger-ledger');
const reportNode = nodeModule('chargeledger-report');
type Any = Record<string, any>;

const pricing = (rev: number) => ({ currency: 'EUR', revenue: { total: { exclVatMinor: rev, inclVatMinor: rev } }, cost: { total: { exclVatMinor: 100 } }, marginMinor: rev - 100 });

describe('chargeledger-report', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'report-node-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const flow = (extra: Any = {}) => [
    { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    { id: 'R', type: 'chargeledger-report', ledger: 'L', by: 'site', period: 'day', intervalS: 0, timezone: 'UTC', wires: [['out']], ...extra },
    { id: 'out', type: 'helper' },
  ];
  const next = (): Promise<Any> => new Promise((resolve) => nodeRed.getNode('out')!.on('input', resolve));
  const status = (id: string, text: RegExp): Promise<void> => new Promise((resolve) => {
    (nodeRed.getNode(id) as Any).on('call:status', (call: Any) => { if (text.test(call.args[0]?.text ?? '')) resolve(); });
  });

  it('emits rollups on request, updated by every append, and keeps them across a redeploy', async () => {
    await nodeRed.load([ledgerNode, reportNode], flow());
    await status('R', /ready/);
    const ledger = nodeRed.getNode('L') as Any;
    await ledger.store.append(session(series('2024-01-15T10:00:00Z', 60, [11_000]), { id: 'a' }), { pricing: pricing(1000) });
    await ledger.store.append(session(series('2024-01-16T10:00:00Z', 60, [5000]), { id: 'b', connectorId: '2' }), { pricing: pricing(500) });
    let got = next();
    nodeRed.getNode('R')!.receive({});
    let msg = await got;
    expect(msg).toMatchObject({ kind: 'rollups', topic: 'rollups/site/day' });
    expect(msg.payload.map((r: Any) => [r.bucket, r.sessions, r.energyWh, r.revenueExclMinor])).toEqual([['2024-01-15', 1, 11_000, 1000], ['2024-01-16', 1, 5000, 500]]);
    expect(msg.payload[1].trend).toMatchObject({ previousBucket: '2024-01-15', revenueExclMinorDelta: -500 });

    await nodeRed.setFlows(flow({ by: 'connector' }));
    await status('R', /ready/);
    got = next();
    nodeRed.getNode('R')!.receive({ payload: { period: 'month', rebuild: true } });
    msg = await got;
    expect(msg.topic).toBe('rollups/connector/month');
    expect(msg.payload.map((r: Any) => [r.entity, r.energyWh, r.flags])).toEqual([['ST1/CP1/1', 11_000, []], ['ST1/CP1/2', 5000, []]]);
  });

  it('counts unattributed energy apart and keeps a controller crash out of the shares, also after a rebuild', async () => {
    await nodeRed.load([ledgerNode, reportNode], flow({ by: 'connector' }));
    await status('R', /ready/);
    const ledger = nodeRed.getNode('L') as Any;
    await ledger.store.append(session(series('2024-01-15T10:00:00Z', 60, [11_000]), { id: 'a' }), { pricing: pricing(1000) });
    await ledger.store.append(session(series('2024-01-15T12:00:00Z', 60, [0]), { id: 'b', stopReason: 'power_loss', flags: ['recovered:power_loss'] }), { pricing: pricing(0) });
    const orphan = { ...session(series('2024-01-15T13:00:00Z', 60, [4000]), { id: 'u', stopReason: 'power_loss' }), type: 'unattributed', unattributed: { reason: 'crash' } };
    delete (orphan as Any).idTag;
    await ledger.store.append(orphan, { pricing: { ...pricing(0), unattributed: true, marginMinor: -100 } });
    for (const payload of [{}, { rebuild: true }]) {
      const got = next();
      nodeRed.getNode('R')!.receive({ payload });
      const [row] = (await got).payload;
      expect([row.sessions, row.energyWh, row.unattributedWh, row.abortedShare, row.faultedShare, row.powerLossSessions, row.costMinor]).toEqual([2, 11_000, 4000, 0, 0, 1, 300]);
    }
  });

  it('emits on a schedule', async () => {
    await nodeRed.load([ledgerNode, reportNode], flow({ intervalS: 1 }));
    const msg = await next();
    expect(msg).toMatchObject({ kind: 'rollups', payload: [] });
  });

  it('sends the latest signed records on request, newest first, so a page can fill its table after a restart', async () => {
    await nodeRed.load([ledgerNode, reportNode], flow());
    await status('R', /ready/);
    const ledger = nodeRed.getNode('L') as Any;
    let got = next();
    nodeRed.getNode('R')!.receive({ payload: { latest: 5 } });
    expect(await got).toMatchObject({ kind: 'records', topic: 'records/latest', payload: [] });
    for (const id of ['a', 'b', 'c']) await ledger.store.append(session(series('2024-01-15T10:00:00Z', 60, [1000]), { id }), { pricing: pricing(300) });
    got = next();
    nodeRed.getNode('R')!.receive({ payload: { latest: 2 } });
    const msg = await got;
    expect(msg.payload.map((r: Any) => [r.seq, r.id])).toEqual([[3, 'c'], [2, 'b']]);
    expect(msg.payload[0]).toMatchObject({ stationId: 'ST1', session: { id: 'c', energyWh: 1000 }, pricing: { marginMinor: 200 } });
    expect(msg.payload[0].ocmf).toMatch(/^OCMF\|/);
    const r = nodeRed.getNode('R') as Any;
    const errored = new Promise<string>((resolve) => r.on('call:error', (call: Any) => resolve(String(call.args[0]?.message ?? call.args[0]))));
    r.receive({ payload: { latest: 0 } });
    expect(await errored).toMatch(/msg.payload.latest must be a whole number of records from 1 to 1000, got 0/);
  });

  it('bad requests end in done(err); a missing ledger shows a red status', async () => {
    await nodeRed.load([ledgerNode, reportNode], flow());
    await status('R', /ready/);
    const r = nodeRed.getNode('R') as Any;
    const errored = new Promise<string>((resolve) => r.on('call:error', (call: Any) => resolve(String(call.args[0]?.message ?? call.args[0]))));
    r.receive({ payload: { by: 'planet' } });
    expect(await errored).toMatch(/msg.payload.by must be one of connector\/charger\/site/);
    await nodeRed.unload();
    await nodeRed.load([ledgerNode, reportNode], [{ id: 'R', type: 'chargeledger-report', ledger: 'missing', wires: [[]] }]);
    await status('R', /no ledger/);
  });
});

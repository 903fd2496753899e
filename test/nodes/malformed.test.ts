// Every node, fed malformed messages of every kind on the real runtime: each ends in done(err)
// with the field named, nothing is half-applied, and the node goes on working afterwards.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';
import { makeSession } from '../core/ledger/session-fixture';

type Any = Record<string, any>;
const types = ['chargeledger-ledger', 'chargeledger-session', 'chargeledger-tariff', 'chargeledger-price', 'chargeledger-record', 'chargeledger-load'];
const sell = readFileSync(path.join(__dirname, '..', 'fixtures', 'ocpi', 'tariff_9_025kwh_start.json'), 'utf8');
const loadConnectors = [{ id: '1', phases: 3, phase: 1, minCurrentA: 6, maxCurrentA: 32, cableMaxCurrentA: '', priority: 0, meterId: '' }];

/** A malformed message of every kind a node may be wired to receive. */
const MALFORMED: Array<[string, Any]> = [
  ['reading with a negative seq', { kind: 'reading', topic: 'CP1-1', payload: { meterId: 'CP1-1', seq: -1, timeMs: 1, monoMs: 1, energyImportWh: 5 } }],
  ['reading with fractional Wh', { kind: 'reading', topic: 'SITE', payload: { meterId: 'SITE', seq: 1, timeMs: 1, monoMs: 1, energyImportWh: 1.5, currentA: [1, 1, 1] } }],
  ['health with an unknown state', { kind: 'health', payload: { meterId: 'CP1-1', state: 'fine', errors: {}, sinceMs: 1 } }],
  ['charger event with an unknown event', { payload: { connectorId: '1', event: 'explode' } }],
  ['charger event with a bogus reason', { payload: { connectorId: '1', event: 'start', reason: 'bogus' } }],
  ['setpoint with NaN current', { kind: 'setpoint', payload: { connectorId: '1', currentA: Number.NaN } }],
  ['session without ids', { kind: 'session', payload: { energyWh: 5 } }],
  ['config for an unknown topic', { kind: 'config', topic: 'prices', payload: {} }],
  ['record that is not one', { kind: 'record', payload: { v: 2 } }],
  ['an unknown kind', { kind: 'telepathy', payload: {} }],
  ['a payload that is a string', { kind: 'reading', payload: 'CP1-1 12 kWh' }],
];

describe('malformed messages to every node', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cl-malformed-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const flow = () => [
    { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    { id: 'S', type: 'chargeledger-session', ledger: 'L', chargerId: 'CP1', connectors: [{ connectorId: '1', meterId: 'CP1-1', ratedPowerW: 11000 }], updateIntervalS: 0, wires: [['S_OUT'], []] },
    { id: 'T', type: 'chargeledger-tariff', sell, buy: JSON.stringify({ currency: 'EUR', fixedPricePerKWh: '0.20' }), timezone: 'Europe/Amsterdam', dataDir },
    { id: 'P', type: 'chargeledger-price', tariff: 'T', wires: [['P_OUT']] },
    { id: 'R', type: 'chargeledger-record', ledger: 'L', wires: [['R_OUT']] },
    { id: 'LD', type: 'chargeledger-load', siteMeterId: 'SITE', siteCurrentA: '40', connectors: loadConnectors, safeCurrentA: 6, validForS: 10, siteTimeoutS: 5, rampStepA: 100, hysteresisA: 0, reserveA: 0, minOnS: 0, minOffS: 0, wires: [['LD_OUT']] },
    { id: 'S_OUT', type: 'helper' },
    { id: 'P_OUT', type: 'helper' },
    { id: 'R_OUT', type: 'helper' },
    { id: 'LD_OUT', type: 'helper' },
  ];

  it('ends each in done(err) naming what was wrong, and the nodes keep working', async () => {
    await nodeRed.load(types.map(nodeModule), flow());
    const nodes = ['S', 'P', 'R', 'LD'];
    const errors: Record<string, string[]> = {};
    const statuses: Record<string, Any[]> = {};
    const outputs: Record<string, Any[]> = { S_OUT: [], P_OUT: [], R_OUT: [], LD_OUT: [] };
    for (const id of nodes) {
      errors[id] = [];
      statuses[id] = [];
      nodeRed.getNode(id)!.on('call:error', (c: Any) => errors[id]!.push(String(c.args[0]?.message ?? c.args[0])));
      nodeRed.getNode(id)!.on('call:status', (c: Any) => statuses[id]!.push(c.args[0]));
    }
    for (const id of Object.keys(outputs)) nodeRed.getNode(id)!.on('input', (m: Any) => outputs[id]!.push(m));
    await waitFor(() => outputs.LD_OUT!.length > 0); // the load node's start-up setpoints
    const before = { S: outputs.S_OUT!.length, P: outputs.P_OUT!.length, R: outputs.R_OUT!.length, LD: outputs.LD_OUT!.length };

    for (const id of nodes) for (const [, msg] of MALFORMED) nodeRed.getNode(id)!.receive(structuredClone(msg));
    await waitFor(() => nodes.every((id) => errors[id]!.length >= MALFORMED.length - (id === 'P' || id === 'LD' ? 1 : 0)), 10_000);
    // Nothing was half-applied: no output from any of them.
    expect({ S: outputs.S_OUT!.length, P: outputs.P_OUT!.length, R: outputs.R_OUT!.length, LD: outputs.LD_OUT!.length }).toEqual(before);
    for (const id of nodes) for (const e of errors[id]!) expect(e).toMatch(/^(reading|health|charger event|setpoint|session|config|record): \w|^unrecognised message/);
    expect(statuses.S!.filter((s) => s.fill === 'red').map((s) => s.text)).toContain('bad reading: seq');
    expect(errors.S!.some((e) => /reading: seq must be >= 0/.test(e))).toBe(true);
    expect(errors.LD!.some((e) => /charger event: reason must be one of ev, local/.test(e))).toBe(true);

    // Still working: a valid message of each node's kind is handled.
    nodeRed.getNode('S')!.receive({ payload: { connectorId: '1', event: 'plug' } });
    nodeRed.getNode('P')!.receive({ kind: 'session', payload: makeSession(1, { stationId: 'ST1' }) });
    nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(2, { stationId: 'ST1' }) });
    nodeRed.getNode('LD')!.receive({ kind: 'reading', topic: 'SITE', payload: { meterId: 'SITE', seq: 1, timeMs: Date.now(), monoMs: 0, currentA: [4, 4, 4] } });
    await waitFor(() => outputs.S_OUT!.length > before.S && outputs.P_OUT!.length > before.P && outputs.R_OUT!.length > before.R && outputs.LD_OUT!.length > before.LD, 10_000);
    expect(outputs.S_OUT!.at(-1)).toMatchObject({ kind: 'session-event', payload: { type: 'started' } });
    expect(outputs.P_OUT!.at(-1)!.pricing).toMatchObject({ currency: 'EUR' });
    expect(outputs.R_OUT!.at(-1)).toMatchObject({ kind: 'record', payload: { seq: 1 } });
  });
});

// `chargeledger report` over a real LevelDB ledger written by the real LedgerStore.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { LedgerStore, type Sealer } from '../../src/adapters/store/ledger-store';
import type { LedgerRecord } from '../../src/core/ledger/record';
import { series, session } from '../core/tariff/session-helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-report-'));
const sealer: Sealer = ({ session: s, pricing, seq, prev, createdAt }) => ({ v: 1, id: s.id, seq, prev, stationId: s.stationId, keyId: 'test', createdAt, session: s, pricing, ocmf: 'OCMF|{}|{}', hash: String(seq).padStart(64, '0') }) as LedgerRecord;
const pricing = (rev: number, cost: number) => ({ currency: 'EUR', revenue: { total: { exclVatMinor: rev, inclVatMinor: rev } }, cost: { total: { exclVatMinor: cost } }, marginMinor: rev - cost });

beforeAll(async () => {
  const store = new LedgerStore(path.join(dir, 'ST1', 'ledger'), { sealer, sync: false });
  await store.append(session(series('2024-01-15T10:00:00Z', 60, [11_000, 11_000]), { id: 'a', connectorId: '1' }), { pricing: pricing(1100, 440) });
  await store.append(session(series('2024-01-15T14:00:00Z', 60, [5000]), { id: 'b', connectorId: '2' }), { pricing: pricing(250, 100) });
  await store.append(session(series('2024-01-16T09:00:00Z', 60, [7000]), { id: 'c', connectorId: '1' }), { pricing: pricing(700, 280) });
  await store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['report', ...argv], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, stdin: process.stdin });
  return { code, out, err };
}

describe('chargeledger report', () => {
  it('site rollups per day as CSV, with trends', async () => {
    const r = await run('--data', dir, '--by', 'site', '--format', 'csv');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('period,entity,sessions,energy_kwh,revenue_excl_vat,cost,margin,currency,utilisation,avg_power_kw,aborted,faulted,energy_change,revenue_change,flags');
    expect(lines.slice(1)).toEqual([
      '2024-01-15,ST1,2,27.000,13.50,5.40,8.10,EUR,6.3%,9.00,0.0%,0.0%,,,',
      '2024-01-16,ST1,1,7.000,7.00,2.80,4.20,EUR,2.1%,7.00,0.0%,0.0%,-74%,-48%,',
    ]);
  });

  it('connector rollups per month as JSON (station dir or ledger dir both work)', async () => {
    const r = await run('--data', path.join(dir, 'ST1'), '--period', 'month', '--format', 'json');
    const rows = JSON.parse(r.out);
    expect(rows.map((x: { entity: string; sessions: number; energyWh: number }) => [x.entity, x.sessions, x.energyWh])).toEqual([['ST1/CP1/1', 2, 29_000], ['ST1/CP1/2', 1, 5000]]);
    const t = await run('--data', path.join(dir, 'ST1', 'ledger'), '--by', 'charger', '--period', 'week');
    expect(t.out).toMatch(/2024-W03\s+ST1\/CP1\s+3\s+34\.000\s+20\.50/);
  });

  it('reads a JSON-lines export (the download) as well as the ledger, and refuses a CSV export by name', async () => {
    const sessions = await main(['sessions', '--data', dir], { stdout: (t) => void fs.appendFileSync(path.join(dir, 'export.jsonl'), t), stderr: () => undefined, stdin: process.stdin });
    expect(sessions).toBe(0);
    const fromDb = await run('--data', dir, '--by', 'site', '--format', 'csv');
    const fromFile = await run(path.join(dir, 'export.jsonl'), '--by', 'site', '--format', 'csv');
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toBe(fromDb.out);
    expect((await run('--data', path.join(dir, 'export.jsonl'), '--by', 'site', '--format', 'csv')).out).toBe(fromDb.out);
    fs.writeFileSync(path.join(dir, 'export.csv'), 'seq,id\n1,a\n');
    const csv = await run(path.join(dir, 'export.csv'));
    expect(csv.code).toBe(1);
    expect(csv.err).toMatch(/export\.csv line 1 is not JSON: use the "JSON lines" export/);
  });

  it('usage errors exit 2, a missing ledger exits 1', async () => {
    expect((await run('--data', dir, '--by', 'planet')).code).toBe(2);
    expect((await run('--data', dir, 'extra.jsonl')).code).toBe(2);
    const none = await run('--data', path.join(dir, 'nothing-here'));
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/cannot read|no ledger/);
  });

  it('says the ledger is in use when Node-RED holds it', async () => {
    const held = new LedgerStore(path.join(dir, 'ST1', 'ledger'), { sealer, sync: false });
    await held.ready;
    try {
      const r = await run('--data', dir);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/ST1\/ledger is in use by Node-RED: stop it first, or download the sessions in the editor/);
    } finally {
      await held.close();
    }
  });
});


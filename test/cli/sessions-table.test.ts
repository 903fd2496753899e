// `chargeledger sessions` for a person: an aligned table on a real terminal (a pty from
// `script`), JSON lines when standard output is a pipe, and --json / --format to choose.
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStation } from '../../src/adapters/store/station';
import { parseTariff, priceSession } from '../../src/core/tariff';
import { needBinary } from '../helpers/realdeps';
import { makeSession } from '../core/ledger/session-fixture';
import { runBin } from './bin';
import { runOnPty, tableCells } from './pty';

const fixtures = path.join(__dirname, '..', 'fixtures', 'ocpi');

describe.runIf(needBinary('script'))('chargeledger sessions as a table', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sessions-table-'));
    const tariff = parseTariff(JSON.parse(fs.readFileSync(path.join(fixtures, 'tariff_8_simple_025kwh.json'), 'utf8')));
    const st = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    const priced = makeSession(1, { energyWh: 12_345, idTag: 'RFID4711' });
    await st.store.append(priced, { pricing: priceSession(priced, { sell: tariff, timezone: 'UTC' }) });
    await st.store.append(makeSession(2, { idTag: 'A-VERY-LONG-CONTRACT-ID-0000000001', flags: ['started_unobserved', 'recovered:power_loss'] }));
    await st.store.append(makeSession(3, { type: 'unattributed', idTag: undefined, stopReason: 'unknown', energyWh: 7, unattributed: { reason: 'crash' } }));
    for (let n = 4; n <= 11; n++) await st.store.append(makeSession(n, { durationS: n * 1000 }));
    await st.store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints aligned columns on a terminal: kWh and money as exact decimals with the currency', async () => {
    const r = await runOnPty(['sessions', '--data', dataDir]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    const rows = tableCells(lines);
    // Every row has the same column starts: the blank stripes between them split all 12 lines into 9 cells.
    expect(rows.every((c) => c.length === 9)).toBe(true);
    expect(rows[0]).toEqual(['seq', 'start (UTC)', 'duration', 'connector', 'idTag', 'kWh', 'stop', 'incl. VAT', 'flags']);
    expect(rows[1]).toEqual(['1', '2025-11-25 09:00', '0:30:00', 'CP1/2', 'RFID4711', '12.345', 'ev', '1.52 EUR', '']);
    expect(rows[2]).toEqual(['2', '2025-11-25 10:00', '0:30:00', 'CP1/1', 'A-VERY-LONG-C…', '5.520', 'ev', '-', 'started_unobs…']);
    expect(rows[3].slice(4, 7)).toEqual(['(unattributed)', '0.007', 'unknown']);
    expect(rows[11].slice(0, 3)).toEqual(['11', '2025-11-25 19:00', '3:03:20']);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
  });

  it('prints JSON lines when standard output is not a terminal, and on a terminal with --json or --format jsonl', async () => {
    const piped = runBin(['sessions', '--data', dataDir], { home: dataDir, cwd: dataDir });
    expect(piped.code).toBe(0);
    expect(piped.out.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const flag of [['--json'], ['--format', 'jsonl']]) {
      const r = await runOnPty(['sessions', '--data', dataDir, ...flag]);
      expect(r.out.trim().split('\n').map((l) => JSON.parse(l).seq)).toHaveLength(11);
    }
    const table = runBin(['sessions', '--data', dataDir, '--format', 'table'], { home: dataDir, cwd: dataDir });
    expect(table.out.split('\n')[0]).toMatch(/^seq {2}start \(UTC\)/);
    const csv = await runOnPty(['sessions', '--data', dataDir, '--format', 'csv']);
    expect(csv.out.split('\n')[0]).toMatch(/^seq,id,stationId,/);
    const clash = runBin(['sessions', '--data', dataDir, '--json', '--format', 'csv'], { home: dataDir, cwd: dataDir });
    expect([clash.code, clash.err]).toEqual([2, expect.stringMatching(/--json and --format csv contradict/)]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStation } from '../../src/adapters/store/station';
import { makeSession } from '../core/ledger/session-fixture';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';

/** Run the CLI in-process; resolves to its exit code and output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdin: new PassThrough() });
  return { code, out, err };
}

describe('chargeledger sessions', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sessions-'));
    const st = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    for (let n = 1; n <= 4; n++) await st.store.append(makeSession(n, n === 2 ? { idTag: 'a,"b"' } : {}), n === 4 ? { pricing: { currency: 'EUR', tariffHash: 't1' } } : {});
    await st.store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exports JSON lines exactly as stored', async () => {
    const r = await cli('sessions', '--data', dataDir);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(lines[3].tariffHash).toBe('t1');
  });

  it('exports CSV with quoting, and filters by --since', async () => {
    const r = await cli('sessions', '--data', dataDir, '--format', 'csv', '--since', makeSession(2).endTime);
    const rows = r.out.trim().split('\n');
    expect(rows[0]).toBe('seq,id,stationId,chargerId,connectorId,idTag,startTime,endTime,durationS,energyWh,stopReason,flags,currency,revenueExclVat,revenueInclVat,cost,margin,tariffId,keyId,hash');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/^2,sess-2,ST1,CP1,1,"a,""b""",/);
    expect(rows[3]).toMatch(/,5520,ev,,EUR,,,,,,/);
  });

  it('rejects bad options with exit 2 and a missing ledger with exit 1', async () => {
    expect((await cli('sessions', '--format', 'cdr', '--data', dataDir)).code).toBe(2); // cdr needs --site
    expect((await cli('sessions', '--data', dataDir, '--format', 'xml')).code).toBe(2);
    expect((await cli('sessions', '--data', dataDir, '--since', 'soon')).code).toBe(2);
    expect((await cli('sessions', '--data', path.join(dataDir, 'nope'))).code).toBe(1);
  });

  it('says how to get the sessions when Node-RED holds the database', async () => {
    // LevelDB's lock: a second open of the same database fails, in this process as in another.
    const held = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    await held.store.ready;
    try {
      const r = await cli('sessions', '--data', dataDir, '--station', 'ST1');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/is in use by Node-RED: stop it first, or download the sessions in the editor/);
    } finally {
      await held.store.close();
    }
  });
});

// Downloading the stored sessions from the running station through the ledger node's admin
// endpoint, on the real runtime (the CLI cannot open the database while Node-RED holds it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChainChecker } from '../../src/adapters/crypto/ledger';
import { listPublicKeys } from '../../src/adapters/keys/keystore';
import { SESSION_CSV_COLUMNS } from '../../src/core/ledger/csv';
import { makeSession } from '../core/ledger/session-fixture';
import { nodeModule, nodeRed } from '../helpers/nodered';

const ledgerNode = nodeModule('chargeledger-ledger');
const recordNode = nodeModule('chargeledger-record');
type Any = Record<string, any>;

describe('ledger node: session download', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ledger-export-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function stationWithSessions(n: number): Promise<void> {
    await nodeRed.load([ledgerNode, recordNode], [
      { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
      { id: 'R', type: 'chargeledger-record', ledger: 'L', wires: [['OUT']] },
      { id: 'OUT', type: 'helper' },
    ]);
    const out: Any[] = [];
    nodeRed.getNode('OUT')!.on('input', (m: Any) => out.push(m));
    for (let i = 1; i <= n; i++) {
      const stored = new Promise<void>((resolve) => {
        const check = () => (out.length >= i ? resolve() : setTimeout(check, 5));
        check();
      });
      nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(i), pricing: { currency: 'EUR' } });
      await stored;
    }
  }

  it('gives every stored session as CSV while the station runs', async () => {
    await stationWithSessions(3);
    const res = await nodeRed.request().get('/chargeledger/ledger/L/sessions?format=csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="ST1-sessions.csv"');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(SESSION_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    const seqCol = SESSION_CSV_COLUMNS.indexOf('seq');
    expect(lines.slice(1).map((l: string) => l.split(',')[seqCol])).toEqual(['1', '2', '3']);
    expect(lines[1]).toContain(',EUR,');
  });

  it('gives the signed records as JSON lines that verify as one chain', async () => {
    await stationWithSessions(2);
    const res = await nodeRed.request().get('/chargeledger/ledger/L/sessions?format=jsonl').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const records = res.text.trim().split('\n').map((l: string) => JSON.parse(l));
    expect(records.map((r: Any) => r.seq)).toEqual([1, 2]);
    const checker = createChainChecker(listPublicKeys(path.join(dataDir, 'ST1', 'keys')));
    expect([...records.flatMap((r: Any) => checker.push(r)), ...checker.finish()]).toEqual([]);
  });

  it('answers a bad format with 400, an unknown node with 404, and a ledger that did not open with 503', async () => {
    await stationWithSessions(0);
    const bad = await nodeRed.request().get('/chargeledger/ledger/L/sessions?format=xml');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/format must be csv or jsonl, got "xml"/);
    const badSince = await nodeRed.request().get('/chargeledger/ledger/L/sessions?since=yesterday');
    expect(badSince.status).toBe(400);
    const unknown = await nodeRed.request().get('/chargeledger/ledger/nope/sessions');
    expect(unknown.status).toBe(404);
    const notLedger = await nodeRed.request().get('/chargeledger/ledger/R/sessions');
    expect(notLedger.status).toBe(404);
    await nodeRed.unload();
    // A data dir that is a file: the ledger cannot open.
    await nodeRed.load([ledgerNode], [{ id: 'L2', type: 'chargeledger-ledger', stationId: 'ST2', dataDir: '/dev/null/x', retentionDays: 0 }]);
    const down = await nodeRed.request().get('/chargeledger/ledger/L2/sessions');
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(/the ledger is not open/);
  });

  it('an empty ledger gives the CSV header alone', async () => {
    await stationWithSessions(0);
    const res = await nodeRed.request().get('/chargeledger/ledger/L/sessions').buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toBe(`${SESSION_CSV_COLUMNS.join(',')}\n`);
  });
});

// Downloading the stored sessions from the running station through the ledger node's admin
// endpoint, on the real runtime (the CLI cannot open the database while Node-RED holds it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChainChecker } from '../../src/adapters/crypto/ledger';
import { listPublicKeys } from '../../src/adapters/keys/keystore';
import { SESSION_CSV_COLUMNS } from '../../src/core/ledger/csv';
import { makeSession } from '../core/ledger/session-fixture';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { runBin } from '../cli/bin';

const ledgerNode = nodeModule('chargeledger-ledger');

/**
 * Click a download button of the ledger node's real editor script (nodes/chargeledger-ledger.html,
 * run in a sandbox with stub jQuery/DOM) for the editor-side node `editorNode`; the request it
 * makes is answered by the running runtime. Resolves to the name the browser would save as.
 */
async function editorDownloadName(editorNode: Any, format: 'csv' | 'jsonl'): Promise<string> {
  const html = readFileSync(path.join(__dirname, '../../nodes/chargeledger-ledger.html'), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
  let def: Any = {};
  const handlers = new Map<string, (e: Any) => void>();
  let request: { url: string; done?: (...a: unknown[]) => void } | undefined;
  const $: Any = (sel: string) => ({ text: () => undefined, on: (_ev: string, fn: (e: Any) => void) => handlers.set(sel, fn) });
  $.ajax = (opts: { url: string }) => {
    request = { url: opts.url };
    const chain = { done: (fn: (...a: unknown[]) => void) => ((request!.done = fn), chain), fail: () => chain };
    return chain;
  };
  const anchor: Any = { click: () => undefined, remove: () => undefined };
  const sandbox = {
    RED: { nodes: { registerType: (_t: string, d: Any) => (def = d) }, validators: { regex: () => () => true, number: () => () => true } },
    $, Blob: class {}, URL: { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined },
    document: { createElement: () => anchor, body: { appendChild: () => undefined } }, setTimeout: () => undefined,
  };
  vm.runInNewContext(script, sandbox);
  def.oneditprepare.call(editorNode);
  handlers.get(`#node-config-ledger-download-${format}`)!({ preventDefault: () => undefined });
  const res = await nodeRed.request().get(`/${request!.url}`).buffer(true);
  request!.done!(res.text, 'success', { getResponseHeader: (h: string) => res.headers[h.toLowerCase()] ?? null });
  return anchor.download;
}
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

  async function stationWithSessions(n: number, stationId = 'ST1', pricing: Any = { currency: 'EUR' }): Promise<void> {
    await nodeRed.load([ledgerNode, recordNode], [
      { id: 'L', type: 'chargeledger-ledger', stationId, dataDir, retentionDays: 0 },
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
      nodeRed.getNode('R')!.receive({ kind: 'session', payload: makeSession(i), pricing });
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

  it('names the file after the station id the runtime resolved from ${CHARGELEDGER_STATION_ID}', async () => {
    process.env.CHARGELEDGER_STATION_ID = 'depot-7';
    try {
      await stationWithSessions(1, '${CHARGELEDGER_STATION_ID}');
    } finally {
      delete process.env.CHARGELEDGER_STATION_ID;
    }
    const res = await nodeRed.request().get('/chargeledger/ledger/L/sessions?format=jsonl').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="depot-7-sessions.jsonl"');
    expect(JSON.parse(res.text.split('\n')[0]).stationId).toBe('depot-7');
    // The editor holds the flow's text, not the runtime's value: its button must use the runtime's name.
    const editorSide = { id: 'L', stationId: '${CHARGELEDGER_STATION_ID}' };
    expect(await editorDownloadName(editorSide, 'jsonl')).toBe('depot-7-sessions.jsonl');
    expect(await editorDownloadName(editorSide, 'csv')).toBe('depot-7-sessions.csv');
  });

  it('the JSON-lines download is what chargeledger report and verify --chain work on while the station runs', async () => {
    const pricing = { currency: 'EUR', tariffId: 'T1', revenue: { total: { exclVat: '2.00', inclVat: '2.38', exclVatMinor: 200, inclVatMinor: 238 } }, cost: { total: { exclVat: '0.50', exclVatMinor: 50 } }, marginMinor: 150, margin: '1.50' };
    await stationWithSessions(3, 'ST1', pricing);
    const res = await nodeRed.request().get('/chargeledger/ledger/L/sessions?format=jsonl').buffer(true);
    const file = path.join(dataDir, 'ST1-sessions.jsonl');
    writeFileSync(file, res.text);
    const home = path.join(dataDir, 'home');
    mkdirSync(home);
    const run = (...argv: string[]) => runBin(argv, { home, cwd: dataDir, env: { CHARGELEDGER_DATA_DIR: dataDir } });
    // The station holds the LevelDB: the ledger itself cannot be read, the download can.
    const locked = run('report');
    expect(locked.code).toBe(1);
    expect(locked.err).toMatch(/in use by Node-RED: stop it first, or download the sessions in the editor \(ledger node, Sessions: JSON lines\) and work on that file \(chargeledger report FILE, chargeledger verify --chain FILE\)/);
    const report = run('report', file, '--by', 'site', '--format', 'csv');
    expect(report.err).toBe('');
    expect(report.code).toBe(0);
    const rows = report.out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^2025-11-25,ST1,3,16\.560,6\.00,1\.50,4\.50,EUR,/); // sessions, kWh, revenue, cost, margin
    const keysDir = path.join(dataDir, 'ST1', 'keys');
    const byDir = run('verify', '--chain', file, '--pubkey', keysDir);
    expect(byDir.out).toMatch(/3 records checked, chain intact/);
    expect(byDir.code).toBe(0);
    expect(run('verify', '--chain', file, '--pubkey', path.join(dataDir, 'ST1')).code).toBe(0);
    // Without --pubkey: the keys of the station that CHARGELEDGER_DATA_DIR leads to.
    expect(run('verify', '--chain', file).out).toMatch(/3 records checked, chain intact/);
  });
});

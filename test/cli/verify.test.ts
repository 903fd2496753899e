import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Level } from 'level';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vectors from '../fixtures/ocmf/ocmf_vectors.json';
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

type Vector = { id: string; ocmf: string; public_key_as_published: string; expected: string };
const EXIT: Record<string, number> = { valid: 0, 'valid-nonstandard': 0, ambiguous: 0, invalid: 1 };

describe('chargeledger verify --ocmf / --file', () => {
  for (const v of vectors as Vector[]) {
    it(`${v.id} exits ${EXIT[v.expected]}`, async () => {
      const r = await cli('verify', '--ocmf', v.ocmf, '--pubkey', v.public_key_as_published);
      expect(r.code).toBe(EXIT[v.expected]);
    });
  }

  it('--json prints the parsed payload and the verdict; --file reads the string', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verify-'));
    const v = (vectors as Vector[])[0];
    writeFileSync(path.join(dir, 'ocmf.txt'), `\n  ${v.ocmf}\n`);
    writeFileSync(path.join(dir, 'key.hex'), v.public_key_as_published);
    const r = await cli('verify', '--file', path.join(dir, 'ocmf.txt'), '--pubkey', path.join(dir, 'key.hex'), '--json');
    rmSync(dir, { recursive: true });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({ verdict: 'valid', valid: true, curve: 'secp256r1', signatureForm: 'der' });
    expect(out.payload.GI).toBe('KEBA_KCP30');
  });

  it('warns about non-standard encodings and rejects them with --strict', async () => {
    const v = (vectors as Vector[]).find((x) => x.id === 'ts-isa-raw-sig')!;
    const lenient = await cli('verify', '--ocmf', v.ocmf, '--pubkey', v.public_key_as_published);
    expect(lenient.out).toMatch(/valid-nonstandard[\s\S]*warning: signature is raw r\|\|s/);
    expect((await cli('verify', '--ocmf', v.ocmf, '--pubkey', v.public_key_as_published, '--strict')).code).toBe(1);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('verify')).code).toBe(2);
    expect((await cli('verify', '--ocmf', 'OCMF|{}|{}')).code).toBe(2);
    expect((await cli('verify', '--ocmf', 'x', '--file', 'y', '--pubkey', 'k')).code).toBe(2);
    expect((await cli('verify', '--bogus')).code).toBe(2);
  });
  it('exits 1 on a malformed OCMF string or key', async () => {
    expect((await cli('verify', '--ocmf', 'not ocmf', '--pubkey', '3059')).code).toBe(1);
  });
});

describe('chargeledger verify --chain', () => {
  let dataDir: string;
  let jsonl: string;
  let pubkey: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'verify-chain-'));
    const st = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    for (let n = 1; n <= 5; n++) await st.store.append(makeSession(n));
    await st.store.close();
    const exp = await cli('sessions', '--data', dataDir, '--format', 'jsonl');
    jsonl = path.join(dataDir, 'export.jsonl');
    writeFileSync(jsonl, exp.out);
    pubkey = path.join(dataDir, 'ST1', 'keys', `${st.keyId}.pub.pem`);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('accepts an intact ledger directory and an intact export', async () => {
    const dir = await cli('verify', '--chain', dataDir);
    expect(dir.out).toMatch(/5 records checked, chain intact/);
    expect(dir.code).toBe(0);
    expect((await cli('verify', '--chain', jsonl, '--pubkey', pubkey)).code).toBe(0);
  });

  it('takes --pubkey as a key file, a keys directory or a station directory, or finds the keys through --data', async () => {
    for (const key of [pubkey, path.join(dataDir, 'ST1', 'keys'), path.join(dataDir, 'ST1')]) {
      const r = await cli('verify', '--chain', jsonl, '--pubkey', key);
      expect(r.out, key).toMatch(/5 records checked, chain intact/);
      expect(r.code).toBe(0);
    }
    expect((await cli('verify', '--chain', jsonl, '--data', dataDir)).out).toMatch(/5 records checked, chain intact/);
    // Several stations in the data dir: the export's own station id picks its keys.
    const two = mkdtempSync(path.join(tmpdir(), 'verify-two-'));
    cpSync(path.join(dataDir, 'ST1'), path.join(two, 'ST1'), { recursive: true });
    const st2 = openStation({ dataDir: two, stationId: 'ST2', identity: { gatewayId: 'CL', gatewaySerial: 'ST2', timeStatus: 'I' } });
    await st2.store.close();
    const picked = await cli('verify', '--chain', jsonl, '--data', two);
    const wrong = await cli('verify', '--chain', jsonl, '--data', two, '--station', 'ST2');
    rmSync(two, { recursive: true });
    expect(picked.out).toMatch(/5 records checked, chain intact/);
    expect(wrong.out).toMatch(/unknown-key/);
    const empty = mkdtempSync(path.join(tmpdir(), 'verify-nokeys-'));
    const none = await cli('verify', '--chain', jsonl, '--pubkey', empty);
    rmSync(empty, { recursive: true });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--pubkey: no public keys in/);
  });

  it('names each problem in a tampered export', async () => {
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    const altered = JSON.parse(lines[3]);
    altered.session.energyWh = 99999;
    const bad = [lines[0], lines[2], lines[1], lines[2], JSON.stringify(altered)].join('\n');
    const file = path.join(dataDir, 'bad.jsonl');
    writeFileSync(file, `${bad}\n`);
    const r = await cli('verify', '--chain', file, '--pubkey', pubkey);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 2 \(sess-2\): reordered/);
    expect(r.out).toMatch(/seq 3 \(sess-3\): duplicated/);
    expect(r.out).toMatch(/seq 4 \(sess-4\): altered: content does not match its hash/);
    expect(r.out).toMatch(/5 records checked, \d+ problems/);
    const gap = path.join(dataDir, 'gap.jsonl');
    writeFileSync(gap, `${[lines[0], lines[1], lines[3], lines[4]].join('\n')}\n`);
    expect((await cli('verify', '--chain', gap, '--pubkey', pubkey)).out).toMatch(/seq 3: deleted: record seq 3 is missing/);
  });

  it('needs a key for an export, and reports an unknown key', async () => {
    expect((await cli('verify', '--chain', jsonl, '--data', path.join(dataDir, 'nowhere'))).code).toBe(2);
    const other = await cli('verify', '--chain', jsonl, '--pubkey', (vectors as Vector[])[0].public_key_as_published);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/unknown-key/);
  });

  it('detects records deleted from the ledger database, including the newest', async () => {
    const copy = path.join(dataDir, 'copy');
    cpSync(path.join(dataDir, 'ST1'), path.join(copy, 'ST1'), { recursive: true });
    const db = new Level(path.join(copy, 'ST1', 'ledger'));
    await db.open();
    await db.batch([{ type: 'del', key: '!rec!000000000000002' }, { type: 'del', key: '!rec!000000000000005' }]);
    await db.close();
    const r = await cli('verify', '--chain', path.join(copy, 'ST1'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 2: deleted: record seq 2 is missing/);
    expect(r.out).toMatch(/seq 5: deleted: record seq 5 is missing \(the head says 5\)/);
  });

  it('says the ledger is in use when Node-RED holds it, instead of a bare open failure', async () => {
    const held = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    await held.store.ready;
    try {
      const r = await cli('verify', '--chain', path.join(dataDir, 'ST1'));
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/is in use by Node-RED: stop it first, or download the sessions in the editor/);
    } finally {
      await held.store.close();
    }
  });
});


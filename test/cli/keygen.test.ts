import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('chargeledger keygen', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'keygen-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a key with mode 0600 and shows PEM and OCMF hex SPKI, never the private key', async () => {
    const created = await cli('keygen', '--data', dataDir, '--station', 'ST1');
    expect(created.code).toBe(0);
    const keyId = /created key ([0-9a-f]{16})/.exec(created.out)![1];
    const keyFile = path.join(dataDir, 'ST1', 'keys', `${keyId}.key`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const shown = await cli('keygen', '--data', path.join(dataDir, 'ST1'), '--show');
    expect(shown.out).toContain(`key id: ${keyId}`);
    expect(shown.out).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect(shown.out).toMatch(/OCMF public key \(hex SPKI\):\n3059301306072A8648CE3D020106082A8648CE3D03010703420004[0-9A-F]{128}\n/);
    expect(shown.out).not.toMatch(/PRIVATE/);
    expect(shown.out).not.toContain(readFileSync(keyFile, 'utf8').split('\n')[1]);
  });

  it('rotates: new records carry the new key id, old ones still verify', async () => {
    let st = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    const first = (await st.store.append(makeSession(1))).record;
    await st.store.close();
    const rotated = await cli('keygen', '--data', dataDir, '--rotate');
    expect(rotated.out).toMatch(new RegExp(`replaces ${first.keyId}`));
    const files = readdirSync(path.join(dataDir, 'ST1', 'keys'));
    expect(files.filter((f) => f.endsWith('.key'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.pub.pem'))).toHaveLength(2);
    expect(existsSync(path.join(dataDir, 'ST1', 'keys', `${first.keyId}.key`))).toBe(false);
    st = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    const second = (await st.store.append(makeSession(2))).record;
    await st.store.close();
    expect(second.keyId).not.toBe(first.keyId);
    const v = await cli('verify', '--chain', dataDir);
    expect(v.out).toMatch(/2 records checked, chain intact/);
    const shown = (await cli('keygen', '--data', dataDir, '--show')).out;
    expect(shown).toContain(`older key ${first.keyId}`);
    // The OCMF hex SPKI that --show prints verifies the record's OCMF string.
    const hex = /OCMF public key \(hex SPKI\):\n([0-9A-F]+)\n/.exec(shown)![1];
    expect((await cli('verify', '--ocmf', second.ocmf, '--pubkey', hex)).code).toBe(0);
    expect((await cli('verify', '--ocmf', first.ocmf, '--pubkey', hex)).code).toBe(1);
  });
});

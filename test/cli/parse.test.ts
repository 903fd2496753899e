import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { encodeDsmrTelegram, hexAscii } from '../../src/core/meter/dsmr';
import { SIM_IDENT, telegramFields } from '../../hardware/simulator/telegram';
import { fixture, fixturePath } from '../core/meter/feed';

async function run(args: string[], stdin = ''): Promise<{ code: number; out: Record<string, unknown>[]; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['parse', ...args], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, stdin: Readable.from([Buffer.from(stdin, 'latin1')]) });
  return { code, out: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), err };
}

function tmpFile(name: string, text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'parse-')), name);
  writeFileSync(p, Buffer.from(text, 'latin1'));
  return p;
}

describe('chargeledger parse', () => {
  it('prints one JSON line per telegram, OBIS keys as written, with the SI reading', async () => {
    const r = await run([fixturePath('dsmr', 'telegram_v5.txt')]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const line = r.out[0] as { checksum: string; identification: string; values: Record<string, unknown>; reading: Record<string, unknown> };
    expect(line.checksum).toBe('ok');
    expect(line.identification).toBe('/ISk5\\2MT382-1000');
    expect(line.values['1-0:1.8.1']).toEqual({ value: '000004.426', unit: 'kWh' });
    expect(line.reading).toMatchObject({ meterId: 'K8EG004046395507', energyImportWh: 6825, seq: 1 });
  });

  it('reads stdin for "-", reports checksum none for DSMR 2.2, and garbage on stderr only', async () => {
    // The gateway trailer after the EasyMeter's "!" is not garbage; the noise line after it is.
    const r = await run(['-'], fixture('dsmr', 'telegram_v2_2.txt') + fixture('dsmr', 'telegram_esy5q3da1004_v304.txt') + '\x00\xff noise\r\n');
    expect(r.code).toBe(0);
    expect(r.out.map((l) => l.checksum)).toEqual(['none', 'none']);
    expect((r.out[1].values as Record<string, unknown>)['1-0:1.8.0*255']).toEqual({ value: '00032549.5061662', unit: 'kWh' });
    expect(r.err).toMatch(/skipped garbage/);
  });

  it('a rejected telegram prints its checksum verdict and reason, and the exit status is 1', async () => {
    const good = fixture('dsmr', 'telegram_v4_2.txt');
    const file = tmpFile('bad.txt', good.replace('001581.123', '001581.124') + good);
    const r = await run(['--protocol', 'dsmr', file]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatchObject({ checksum: 'bad', error: 'bad_checksum' });
    expect(r.out[1]).toMatchObject({ checksum: 'ok' });
  });

  it('register checks apply across the capture (backwards, and jumps by meter time)', async () => {
    const t = (wh: string, time: string) => encodeDsmrTelegram([['1-3:0.2.8', '50'], ['0-0:1.0.0', time], ['0-0:96.1.1', hexAscii('CP1-1')], ['1-0:1.8.0', `${wh}*kWh`]], 'CLS5\\2ChargeLedgerSim');
    const file = tmpFile('cap.txt', t('000010.000', '251125040000W') + t('000009.999', '251125040001W') + t('000010.010', '251125040002W') + t('000900.000', '251125040003W'));
    const r = await run(['--profile', 'simulator', file]);
    expect(r.code).toBe(1);
    expect(r.out.map((l) => l.error ?? 'ok')).toEqual(['ok', 'register_backwards', 'ok', 'impossible_jump']);
  });

  it('auto-detects IEC 62056-21 readouts', async () => {
    const r = await run([fixturePath('iec62056-21', 'mode_c_readout.txt')]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatchObject({ checksum: 'ok', identification: '/ISK5ME162-0033', reading: { meterId: '12345678', energyImportWh: 12345678 } });
  });

  it('decodes what the simulator sends with the simulator profile', async () => {
    const snap = { meterId: 'CP1-2', energyImportWh: 123456, powerW: 11040, voltageV: [230.1, 230.2, 230.3], currentA: [16, 16, 16], frequencyHz: 50 };
    const text = encodeDsmrTelegram(telegramFields(snap as Parameters<typeof telegramFields>[0], Date.UTC(2025, 10, 25, 4)), SIM_IDENT);
    const r = await run(['--profile', 'simulator', '-'], text);
    expect(r.code).toBe(0);
    expect(r.out[0].reading).toMatchObject({ meterId: 'CP1-2', energyImportWh: 123456, powerW: 11040, voltageV: [230.1, 230.2, 230.3], currentA: [16, 16, 16], frequencyHz: 50, meterTime: '2025-11-25T04:00:00+00:00' });
  });

  it('usage errors exit 2: unknown profile, bad protocol, missing file, two files', async () => {
    expect((await run(['--profile', 'no-such-meter', '-'])).code).toBe(2);
    expect((await run(['--protocol', 'modbus', '-'])).code).toBe(2);
    expect((await run([path.join(tmpdir(), 'does-not-exist.txt')])).code).toBe(2);
    expect((await run(['a', 'b'])).code).toBe(2);
    const r = await run(['--profile', 'no-such-meter', '-']);
    expect(r.err).toMatch(/unknown meter profile "no-such-meter"/);
  });

  it('an input with no telegram at all fails', async () => {
    const r = await run(['-'], 'just noise\r\n');
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
  });

  it('runs as the real binary on a pipe', () => {
    const p = spawnSync(process.execPath, [path.join(__dirname, '../../bin/chargeledger.js'), 'parse', '-'], { input: Buffer.from(fixture('dsmr', 'telegram_fluvius_v171.txt'), 'latin1') });
    expect(p.status).toBe(0);
    const line = JSON.parse(p.stdout.toString().trim()) as { reading: { meterId: string; mbus: unknown[] } };
    expect(line.reading.meterId).toBe('1SAG3101021605');
    expect(line.reading.mbus).toHaveLength(2);
  });
});

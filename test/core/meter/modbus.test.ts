import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { crc16modbus, crcValid, float32be, float32ToDecimal, parseRegistersResponse, readRegistersRequest, registersResponse } from '../../../src/core/meter/modbus';
import { ModbusMeter, validateModbusProfile } from '../../../src/core/meter/modbus-meter';
import { fixturePath } from './feed';

const frames = JSON.parse(readFileSync(fixturePath('modbus', 'modbus_frames.json'), 'utf8')) as {
  public_frames: Array<{ frame: string; crc_valid: boolean; crc_computed: string; description: string }>;
  derived_sdm_frames: Array<{ request?: string; response?: string; float32_be_value?: number; meaning?: string }>;
};
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const sdm630 = () => validateModbusProfile(JSON.parse(readFileSync(path.join(__dirname, '../../../hardware/meters/sdm630.json'), 'utf8')));

describe('Modbus RTU conformance frames', () => {
  for (const f of frames.public_frames) {
    it(`${f.frame}: ${f.crc_valid ? 'valid' : 'bad'} CRC (${f.description.slice(0, 50)})`, () => {
      const b = hex(f.frame);
      expect(crcValid(b)).toBe(f.crc_valid);
      const crc = crc16modbus(b, b.length - 2);
      expect(Buffer.from([crc & 0xff, crc >>> 8]).toString('hex').toUpperCase()).toBe(f.crc_computed.replace(/ /g, ''));
    });
  }
  it('rejects the published frame whose CRC is wrong', () => {
    const bad = frames.public_frames.find((f) => !f.crc_valid)!;
    const r = parseRegistersResponse(hex(bad.frame), { slave: 1, fn: 4, count: 2 });
    expect(r).toMatchObject({ ok: false, reason: 'bad_checksum' });
  });
  for (const f of frames.derived_sdm_frames) {
    if (f.request) {
      it(`builds the SDM request ${f.request} (${f.meaning})`, () => {
        const b = hex(f.request!);
        expect(Buffer.from(readRegistersRequest(b[0], (b[2] << 8) | b[3], (b[4] << 8) | b[5], 4)).toString('hex')).toBe(Buffer.from(b).toString('hex'));
      });
    } else {
      it(`decodes the float32 response ${f.response} = ${f.float32_be_value}`, () => {
        const r = parseRegistersResponse(hex(f.response!), { slave: 1, fn: 4, count: 2 });
        if (!r.ok) throw new Error(r.detail);
        expect(Math.fround(float32be(r.data, 0))).toBe(Math.fround(f.float32_be_value!));
        expect(float32ToDecimal(float32be(r.data, 0))).toBe(String(f.float32_be_value));
      });
    }
  }
});

describe('SDM630 profile', () => {
  function response(values: Record<number, number>): Uint8Array {
    const data = new Uint8Array(76 * 2);
    const dv = new DataView(data.buffer);
    for (const [addr, v] of Object.entries(values)) dv.setFloat32(Number(addr) * 2, v, false);
    return registersResponse(1, 4, data);
  }
  it('polls one block and maps float32 registers to an SI reading with exact Wh', () => {
    const m = new ModbusMeter(sdm630(), { meterId: 'cp1' });
    expect(m.requests().map((r) => Buffer.from(r).toString('hex'))).toEqual([Buffer.from(readRegistersRequest(1, 0, 76)).toString('hex')]);
    expect(m.responseLength(0)).toBe(157);
    const ev = m.decode([response({ 0: 230, 2: 230.5, 4: 229.75, 6: 16.5, 8: 16, 10: 0, 52: 11040, 70: 50, 72: 1234.5677, 74: 0 })], { timeMs: 1, monoMs: 1 });
    expect(ev).toMatchObject({ ok: true, reading: { meterId: 'cp1', seq: 1, voltageV: [230, 230.5, 229.75], currentA: [16.5, 16, 0], powerW: 11040, frequencyHz: 50, energyImportWh: 1234567, energyExportWh: 0 } });
  });
  it('rejects corrupted, truncated and backwards responses, and counts them', () => {
    const m = new ModbusMeter(sdm630());
    const good = response({ 72: 100 });
    const flipped = Uint8Array.from(good);
    flipped[20] ^= 0x40;
    expect(m.decode([flipped], { timeMs: 1, monoMs: 1 })).toMatchObject({ ok: false, reason: 'bad_checksum' });
    expect(m.decode([good.subarray(0, 100)], { timeMs: 1, monoMs: 1 })).toMatchObject({ ok: false, reason: 'truncated' });
    expect(m.decode([good], { timeMs: 1, monoMs: 1 }).ok).toBe(true);
    expect(m.decode([response({ 72: 99.5 })], { timeMs: 2, monoMs: 2 })).toMatchObject({ ok: false, reason: 'register_backwards' });
    expect(m.counters()).toMatchObject({ bad_checksum: 1, truncated: 1, register_backwards: 1 });
  });
  it('an exception response is reported, not decoded', () => {
    const exc = Uint8Array.from([1, 0x84, 2, 0, 0]);
    const crc = crc16modbus(exc, 3);
    exc[3] = crc & 0xff;
    exc[4] = crc >>> 8;
    expect(parseRegistersResponse(exc, { slave: 1, fn: 4, count: 76 })).toMatchObject({ ok: false, reason: 'exception' });
  });
  it('profile validation names the bad path', () => {
    expect(() => validateModbusProfile({ ...sdm630(), slave: 0 })).toThrow(/slave must be 1..247/);
    expect(() => validateModbusProfile({ ...sdm630(), registers: { powerW: { address: 52, type: 'float32', unit: 'kWh' } } })).toThrow(/registers.powerW.unit must be a power unit/);
    expect(() => validateModbusProfile({ ...sdm630(), registers: { powerW: { address: 200, type: 'float32', unit: 'W' } } })).toThrow(/not inside a block/);
    expect(() => validateModbusProfile({ ...sdm630(), pollIntervalMs: 50 })).toThrow(/pollIntervalMs must be an integer >= 100/);
    expect(() => validateModbusProfile({ ...sdm630(), responseTimeoutMs: 'soon' })).toThrow(/responseTimeoutMs must be an integer >= 10/);
    expect(validateModbusProfile({ ...sdm630(), pollIntervalMs: 2000, responseTimeoutMs: 300 })).toMatchObject({ pollIntervalMs: 2000, responseTimeoutMs: 300 });
  });
});

import { describe, expect, it } from 'vitest';
import { createMeterDecoder } from '../../../src/core/meter/decoder';
import { encodeDsmrTelegram, hexAscii } from '../../../src/core/meter/dsmr';
import { MeterLineSplitter } from '../../../src/core/meter/linesplit';
import { validateProfile, type MeterProfile } from '../../../src/core/meter/profile';
import { isModbusProfile, listProfiles, loadAnyProfile, loadProfile } from '../../../src/adapters/profiles';
import { feed, fixture, readings, reasons } from './feed';

const sim = () => loadProfile('simulator');
const tel = (id: string, wh: number, time = '251125040000W') => {
  const s = String(wh).padStart(4, '0');
  return encodeDsmrTelegram(
    [['1-3:0.2.8', '50'], ['0-0:1.0.0', time], ['0-0:96.1.1', hexAscii(id)], ['1-0:1.8.0', `${s.slice(0, -3).padStart(6, '0')}.${s.slice(-3)}*kWh`], ['1-0:1.7.0', '11.040*kW'], ['1-0:2.7.0', '00.000*kW']],
    'CLS5\\2ChargeLedgerSim',
  );
};

describe('decoder: readings', () => {
  it('stamps each reading with the clock of the line that completed the telegram', () => {
    const dec = createMeterDecoder(sim());
    const lines = tel('CP1-1', 1000).split('\n').slice(0, -1);
    const events = lines.flatMap((l, i) => dec.push(l, { timeMs: 5000 + i, monoMs: 100 + i }));
    expect(events).toHaveLength(1);
    expect(events[0].ok && events[0].reading).toMatchObject({ timeMs: 5000 + lines.length - 1, monoMs: 100 + lines.length - 1, seq: 1 });
  });

  it('several meters on one bus: seq and checks per meter id', () => {
    const dec = createMeterDecoder(sim());
    const stream = tel('SITE', 50_000) + tel('CP1-1', 1000) + tel('CP1-1', 1003) + tel('SITE', 50_004) + tel('CP1-2', 7);
    const rs = readings(feed(dec, stream, { stepMs: 100 }));
    expect(rs.map((r) => `${r.meterId}#${r.seq}=${r.energyImportWh}`)).toEqual(['SITE#1=50000', 'CP1-1#1=1000', 'CP1-1#2=1003', 'SITE#2=50004', 'CP1-2#1=7']);
  });

  it('rejects a register that goes backwards, per meter, without moving the baseline', () => {
    const dec = createMeterDecoder(sim());
    const events = feed(dec, tel('A', 2000) + tel('B', 10) + tel('A', 1999) + tel('A', 2000), { stepMs: 1000 });
    expect(events.map((e) => (e.ok ? `ok:${e.reading.meterId}` : `${e.reason}:${e.meterId}`))).toEqual(['ok:A', 'ok:B', 'register_backwards:A', 'ok:A']);
    expect(dec.counters().register_backwards).toBe(1);
  });

  it('rejects more energy than the rated power allows in the elapsed time', () => {
    // 11 kW rated (overriding the profile): ~1 s plus 5 s slack allows ceil(11000*1.25*6 s/3600 s)+1 = 24 Wh.
    const dec = createMeterDecoder(sim(), { ratedPowerW: 11_000 });
    const a = tel('A', 1000);
    const n = a.split('\n').length - 1;
    const events = feed(dec, a + tel('A', 1020) + tel('A', 1200), { stepMs: 1000 / n });
    expect(events.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['ok', 'ok', 'impossible_jump']);
    // After enough time the same register is plausible again.
    const r = feed(dec, tel('A', 1200), { t0: 1_000_000 + 3_600_000 });
    expect(r.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['ok']);
  });

  it("elapsedFrom 'meterTime' uses the meter's timestamps (capture files)", () => {
    const dec = createMeterDecoder(sim(), { ratedPowerW: 11_000, elapsedFrom: 'meterTime' });
    const events = feed(dec, tel('A', 1000, '251125040000W') + tel('A', 1200, '251125040100W') + tel('A', 1500, '251125040101W'));
    expect(events.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['ok', 'ok', 'impossible_jump']);
  });

  it('the simulator profile requires the meter id and a CRC', () => {
    const noId = encodeDsmrTelegram([['1-0:1.8.0', '000001.000*kWh']], 'CLS5sim');
    expect(reasons(feed(createMeterDecoder(sim()), noId))).toEqual(['missing_register']);
    const badId = encodeDsmrTelegram([['0-0:96.1.1', 'XYZ'], ['1-0:1.8.0', '000001.000*kWh']], 'CLS5sim');
    expect(reasons(feed(createMeterDecoder(sim()), badId))).toEqual(['bad_value']);
    const noCrc = tel('A', 1).replace(/![0-9A-F]{4}/, '!');
    expect(reasons(feed(createMeterDecoder({ ...sim(), checksum: 'required' }), noCrc))).toEqual(['bad_checksum']);
  });

  it('counters are zero-filled and count every rejection', () => {
    const dec = createMeterDecoder(sim());
    feed(dec, `junk\r\n${tel('A', 1).replace('000000.001', '000000.002')}`);
    expect(dec.counters()).toEqual({ bad_checksum: 1, truncated: 0, garbage: 1, unknown_unit: 0, bad_value: 0, missing_register: 0, register_backwards: 0, impossible_jump: 0 });
  });
});

describe('decoder: lines protocol (key=value boards without "/" framing)', () => {
  const board: MeterProfile = validateProfile({
    name: 'board', protocol: 'lines',
    fields: { energyImportWh: 'E', powerW: 'P' }, required: ['energyImportWh'],
    patterns: [{ key: 'E', regex: '^E=(\\d+(?:\\.\\d+)?)\\s*(\\w+)?$', unit: 'Wh' }, { key: 'P', regex: '^P=(-?\\d+)$', unit: 'W' }],
    framing: { begin: '^BEGIN$', end: '^END$' },
  });
  it('frames records between begin and end, defaulting units', () => {
    const events = feed(createMeterDecoder(board, { meterId: 'cp1' }), 'BEGIN\r\nE=1.5 kWh\r\nP=-20\r\nEND\r\nnoise\r\nBEGIN\r\nE=1600\r\nEND\r\n');
    expect(events.map((e) => (e.ok ? `${e.reading.meterId}:${e.reading.energyImportWh}:${e.reading.powerW}` : e.reason))).toEqual(['cp1:1500:-20', 'garbage', 'cp1:1600:undefined']);
  });
  it('an unmatched line inside a record is garbage; a record cut short is truncated', () => {
    expect(reasons(feed(createMeterDecoder(board), 'BEGIN\r\nE=1\r\nX?\r\nEND\r\nBEGIN\r\nE=2\r\nBEGIN\r\nE=3\r\nEND\r\n'))).toEqual(['garbage', 'truncated']);
  });
});

describe('kv-board profile', () => {
  it('decodes key=value records ending in END, id from the board', () => {
    const rs = readings(feed(createMeterDecoder(loadProfile('kv-board')), fixture('iec62056-21', 'kv_board_lines.txt')));
    expect(rs.map((r) => [r.meterId, r.seq, r.energyImportWh, r.powerW])).toEqual([['CP1-1', 1, 12345, 7360], ['CP1-1', 2, 12350, 7360]]);
    expect(rs[0]).toMatchObject({ voltageV: [230.1, null, null], currentA: [32, null, null], frequencyHz: 50 });
  });
});

describe('profiles', () => {
  it('the shipped profiles validate', () => {
    for (const name of ['simulator', 'generic-dsmr', 'generic-iec62056-21', 'kv-board']) expect(loadProfile(name).name).toBe(name);
    expect(listProfiles()).toEqual(['generic-dsmr', 'generic-iec62056-21', 'kv-board', 'sdm630', 'simulator']);
    for (const name of listProfiles()) expect(loadAnyProfile(name).name).toBe(name);
  });
  it('a Modbus register map loads as one, and is refused where telegrams are decoded', () => {
    expect(isModbusProfile(loadAnyProfile('sdm630'))).toBe(true);
    expect(isModbusProfile(loadAnyProfile('generic-dsmr'))).toBe(false);
    expect(() => loadProfile('sdm630')).toThrow(/"sdm630" is a Modbus RTU register map: it reads a meter port/);
  });
  it('validation names the bad path', () => {
    expect(() => validateProfile({ name: 'x', protocol: 'modem', fields: {} })).toThrow(/protocol must be one of/);
    expect(() => validateProfile({ name: 'x', protocol: 'dsmr', fields: { energyWh: '1.8.0' } })).toThrow(/fields.energyWh is not a reading field/);
    expect(() => validateProfile({ name: 'x', protocol: 'dsmr', fields: { powerW: { sum: [] } } })).toThrow(/fields.powerW.sum must be a non-empty array/);
    expect(() => validateProfile({ name: 'x', protocol: 'lines', fields: {}, patterns: [{ key: 'E', regex: '(' }], framing: { end: 'END' } })).toThrow(/patterns\[0\].regex is not a valid regex/);
    expect(() => validateProfile({ name: 'x', protocol: 'dsmr', fields: {}, ratedPowerW: -1 })).toThrow(/ratedPowerW/);
    expect(() => validateProfile([])).toThrow(/must be a JSON object/);
  });
  it('an unknown profile name says which exist', () => {
    expect(() => loadProfile('no-such-meter')).toThrow(/unknown meter profile "no-such-meter" \(known: .*generic-dsmr/);
  });
});

describe('MeterLineSplitter', () => {
  it('splits like readline and releases ETX+BCC at once', () => {
    const s = new MeterLineSplitter();
    expect(s.push('/ISK5ME\r\n\x020.0.0(1)\r')).toEqual(['/ISK5ME\r']);
    expect(s.push('\n!\r\n\x03')).toEqual(['\x020.0.0(1)\r', '!\r']);
    expect(s.push('Z')).toEqual(['\x03Z']);
    expect(s.push('tail')).toEqual([]);
    expect(s.flush()).toEqual(['tail']);
  });
  it('a mode C readout decodes without waiting for the next line', () => {
    const dec = createMeterDecoder(loadProfile('generic-iec62056-21'));
    const s = new MeterLineSplitter();
    const events = s.push(fixture('iec62056-21', 'mode_c_readout.txt')).flatMap((l) => dec.push(l, { timeMs: 1, monoMs: 1 }));
    expect(readings(events)).toHaveLength(1);
  });
});

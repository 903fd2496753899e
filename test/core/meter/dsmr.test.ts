import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMeterDecoder } from '../../../src/core/meter/decoder';
import { crc16arcText, formatCrc16 } from '../../../src/core/meter/crc16';
import { decodeHexAscii, dsmrTimeToIso, encodeDsmrTelegram, hexAscii } from '../../../src/core/meter/dsmr';
import { loadProfile } from '../../../src/adapters/profiles';
import { feed, fixture, fixturePath, readings, reasons } from './feed';

const index = JSON.parse(readFileSync(fixturePath('dsmr', 'index.json'), 'utf8')) as {
  telegrams: Array<{ name: string; file: string; crc_in_telegram: string | null; crc16_arc_computed: string; status: string }>;
};
const generic = () => createMeterDecoder(loadProfile('generic-dsmr'));

describe('DSMR conformance telegrams (ndokter/dsmr_parser)', () => {
  for (const t of index.telegrams) {
    it(`${t.name}: ${t.status}`, () => {
      const text = fixture('dsmr', t.file.replace(/^dsmr\//, ''));
      const events = feed(generic(), text, { end: true });
      const ok = events.filter((e) => e.ok);
      expect(ok).toHaveLength(1);
      const tel = ok[0].telegram;
      expect(tel.checksum).toBe(t.status === 'crc-ok' ? 'ok' : 'none');
      if (t.status === 'crc-ok') {
        expect(tel.checksumGiven).toBe(t.crc_in_telegram);
        expect(tel.checksumComputed).toBe(t.crc16_arc_computed);
      }
      // Whatever precedes '!' hashes to the index's computed CRC, so the framing is byte-exact.
      const body = text.slice(text.indexOf('/'), text.indexOf('!') + 1);
      expect(formatCrc16(crc16arcText(body))).toBe(t.crc16_arc_computed);
    });
  }

  it('DSMR 5: exact Wh from tariff sums, per-phase values, hex-ASCII id, meter time, M-Bus', () => {
    const [r] = readings(feed(generic(), fixture('dsmr', 'telegram_v5.txt')));
    expect(r).toMatchObject({
      meterId: 'K8EG004046395507', seq: 1, energyImportWh: 4426 + 2399, energyExportWh: 2444, powerW: 244,
      voltageV: [230, 230, 229], currentA: [0.48, 0.44, 0.86], meterTime: '2017-01-02T19:20:02+01:00',
    });
    expect(r.raw?.['1-0:1.8.1']).toBe('000004.426*kWh');
    expect(r.mbus?.[0]).toEqual({ channel: 1, deviceType: 3, equipmentId: '2222ABCD123456789', value: '00000.107', unit: 'm3', meterTime: '2017-01-02T16:10:05+01:00' });
  });

  it('values keep the OBIS keys exactly as written, incl. *255 and several groups', () => {
    const esy = feed(generic(), fixture('dsmr', 'telegram_esy5q3da1004_v304.txt'), { end: true });
    const ok = esy.find((e) => e.ok);
    expect(ok && ok.telegram.values['1-0:1.8.0*255']).toEqual({ value: '00032549.5061662', unit: 'kWh' });
    expect(ok && ok.ok && ok.reading.energyImportWh).toBe(32549506);
    // The two lines its COM-1 gateway sends after '!' are a trailer, not garbage.
    expect(reasons(esy)).toEqual([]);
    const flu = feed(generic(), fixture('dsmr', 'telegram_fluvius_v171.txt')).find((e) => e.ok);
    expect(flu?.telegram.values['1-0:1.6.0']).toEqual({ value: '02.589', unit: 'kW', groups: ['200509134558S', '02.589*kW'] });
    expect(flu?.ok && flu.reading.mbus?.map((m) => m.deviceType)).toEqual([3, 7]);
  });

  it('DSMR 2.2 gas value on its own continuation line', () => {
    const [r] = readings(feed(generic(), fixture('dsmr', 'telegram_v2_2.txt')));
    expect(r.mbus?.[0]).toMatchObject({ channel: 1, value: '00001.001', unit: 'm3' });
    expect(r.energyImportWh).toBe(2002);
  });
});

describe('DSMR framing and checksum', () => {
  const tel = (id: string, kwh: string) => encodeDsmrTelegram([['1-3:0.2.8', '50'], ['0-0:96.1.1', hexAscii(id)], ['1-0:1.8.0', `${kwh}*kWh`]], 'CLS5\\2ChargeLedgerSim');

  it('encodeDsmrTelegram round-trips through the simulator profile', () => {
    const t = tel('CP1-1', '000123.456');
    expect(t.endsWith('\r\n')).toBe(true);
    const [r] = readings(feed(createMeterDecoder(loadProfile('simulator')), t));
    expect(r).toMatchObject({ meterId: 'CP1-1', energyImportWh: 123456, seq: 1 });
  });

  it('accepts a 3-digit unpadded CRC', () => {
    // Find a telegram whose CRC is < 0x1000 and strip the leading zero, as some meters do.
    for (let wh = 0; wh < 5000; wh++) {
      const t = tel('M', `000000.${String(wh).padStart(3, '0')}`.slice(-10));
      const crc = /!([0-9A-F]{4})\r\n$/.exec(t)![1];
      if (!crc.startsWith('0')) continue;
      const events = feed(generic(), t.replace(`!${crc}`, `!${crc.slice(1)}`));
      expect(events.filter((e) => e.ok)).toHaveLength(1);
      return;
    }
    throw new Error('no CRC below 0x1000 found');
  });

  it('rejects a bad CRC, counts it, and recovers on the next telegram', () => {
    const good = tel('A', '000001.000');
    const bad = good.replace('000001.000', '000001.001');
    const dec = generic();
    const events = feed(dec, bad + good);
    expect(events.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['bad_checksum', 'ok']);
    expect(events[0].ok === false && events[0].telegram?.checksum).toBe('bad');
    expect(dec.counters().bad_checksum).toBe(1);
  });

  it('a new "/" before "!" marks the previous telegram truncated; input ending mid-telegram too', () => {
    const t = tel('A', '000001.000');
    const cut = t.slice(0, t.indexOf('1-0:1.8.0'));
    expect(reasons(feed(generic(), cut + t + cut, { end: true }))).toEqual(['truncated', 'truncated']);
  });

  it('a meter restarting mid-telegram: the cut telegram is truncated, the new one read', () => {
    const t = tel('A', '000001.000');
    const cut = t.slice(0, t.indexOf('1-0:1.8.0') + 5);
    const events = feed(generic(), `${cut}\x00\x00${t}`);
    expect(events.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['truncated', 'ok']);
  });

  it('skips and counts garbage before "/", also on the same line', () => {
    const t = tel('A', '000001.000');
    const events = feed(generic(), `\x00\xff noise\r\nmore/x/y${t}`);
    expect(reasons(events)).toEqual(['garbage']);
    expect(readings(events)).toHaveLength(1);
  });

  it('a DSMR >= 4 telegram that lost its CRC is rejected; DSMR 3 without CRC is accepted', () => {
    const t = tel('A', '000001.000').replace(/![0-9A-F]{4}/, '!');
    expect(reasons(feed(generic(), t))).toEqual(['bad_checksum']);
    expect(readings(feed(generic(), fixture('dsmr', 'telegram_v3.txt')))).toHaveLength(1);
  });

  it('once a CRC was seen on a stream, a telegram without one is rejected', () => {
    const v3 = fixture('dsmr', 'telegram_v3.txt');
    const v42 = fixture('dsmr', 'telegram_v4_2.txt');
    expect(feed(generic(), v42 + v3).map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['ok', 'bad_checksum']);
  });

  it('rejects an unknown unit and a malformed line, even with a valid CRC', () => {
    const u = encodeDsmrTelegram([['1-0:1.8.0', '000001.000*kWx']], 'ABC5test');
    expect(reasons(feed(generic(), u))).toEqual(['unknown_unit']);
    const body = '/ABC5test\r\n\r\n1-0:1.8.0(000001.000*kWh)\r\n1-0:1.8.2(1\r\n!';
    const g = `${body}${formatCrc16(crc16arcText(body))}\r\n`;
    expect(reasons(feed(generic(), g))).toEqual(['garbage']);
  });

  it('a mapped register with a unit of the wrong kind is unknown_unit; a missing required one missing_register', () => {
    expect(reasons(feed(generic(), encodeDsmrTelegram([['1-0:1.8.0', '000001.000*kvarh']], 'ABC5test')))).toEqual(['unknown_unit']);
    expect(reasons(feed(generic(), encodeDsmrTelegram([['1-0:1.7.0', '01.000*kW']], 'ABC5test')))).toEqual(['missing_register']);
  });
});

describe('DSMR helpers', () => {
  it('hex-ASCII ids', () => {
    expect(hexAscii('CP1-1')).toBe('4350312D31');
    expect(decodeHexAscii('4350312D31')).toBe('CP1-1');
    expect(decodeHexAscii('00000000')).toBeNull();
    expect(decodeHexAscii('ABC')).toBeNull();
  });
  it('meter timestamps with DST flag', () => {
    expect(dsmrTimeToIso('251125040000W')).toBe('2025-11-25T04:00:00+01:00');
    expect(dsmrTimeToIso('250601120000S')).toBe('2025-06-01T12:00:00+02:00');
    expect(dsmrTimeToIso('251325040000W')).toBeNull();
  });
});

describe('identification lines from the field: the checksum decides, never the header', () => {
  const fields: Array<[string, string]> = [['1-3:0.2.8', '50'], ['0-0:96.1.1', hexAscii('GW-7')], ['1-0:1.8.0', '000012.345*kWh']];

  it('Iskra DSMR 5 whose header carries a raw STX: accepted on its CRC, the STX kept escaped', () => {
    const text = fixture('dsmr', 'telegram_v5_iskra_stx.txt');
    expect(text.slice(0, 8)).toBe('/ISk5\x02MT');
    const events = feed(generic(), text, { end: true });
    expect(reasons(events)).toEqual([]);
    const [e] = events;
    expect(e.ok && e.telegram).toMatchObject({ identification: '/ISk5\\x02MT382-1000', checksum: 'ok', checksumGiven: '87B3', checksumComputed: '87B3' });
    expect(e.ok && e.reading).toMatchObject({ meterId: 'K8EG004046395507', energyImportWh: 6825 });
  });

  it('Iskra DSMR 2.2 (no CRC) with the raw STX header is read like its plain twin', () => {
    const events = feed(generic(), fixture('dsmr', 'telegram_v2_2_iskra_stx.txt'), { end: true });
    expect(reasons(events)).toEqual([]);
    expect(events[0].ok && events[0].telegram.identification).toBe('/ISk5\\x02MT382-1004');
    expect(readings(events)[0].energyImportWh).toBe(2002);
  });

  for (const ident of ['12 HEATLINK gateway', ' gw', 'E', 'ab', '\x01\x7f\xff raw', 'ISk5\x02MT382-1000']) {
    it(`header "/${ident.replace(/[^\x20-\x7e]/g, '?')}" with a correct CRC is accepted, with a wrong CRC rejected`, () => {
      const good = encodeDsmrTelegram(fields, ident);
      const events = feed(generic(), good);
      expect(reasons(events)).toEqual([]);
      expect(readings(events)).toMatchObject([{ meterId: 'GW-7', energyImportWh: 12345 }]);
      const shown = events[0].ok ? events[0].telegram.identification : '';
      expect(shown).toMatch(/^\/[\x20-\x7e]*$/);
      const bad = good.replace('000012.345', '000012.346');
      expect(reasons(feed(generic(), bad))).toEqual(['bad_checksum']);
    });
  }

  it('a gateway trailer after every telegram is never garbage; a "!" line that lost its telegram is', () => {
    const esy = fixture('dsmr', 'telegram_esy5q3da1004_v304.txt');
    expect(reasons(feed(generic(), esy + esy + esy, { end: true }))).toEqual([]);
    const cut = esy.slice(esy.indexOf('1-0:1.8.0'));
    expect(reasons(feed(generic(), esy + cut, { end: true }))).toEqual(['garbage']);
  });

  it('a nonstandard header opening mid-telegram cuts the open one as truncated', () => {
    const a = encodeDsmrTelegram(fields, 'ABC5x');
    const b = encodeDsmrTelegram(fields, '12 HEATLINK');
    const events = feed(generic(), a.slice(0, a.indexOf('1-0:1.8.0')) + b);
    expect(events.map((e) => (e.ok ? 'ok' : e.reason))).toEqual(['truncated', 'ok']);
  });
});

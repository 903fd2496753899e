import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMeterDecoder } from '../../../src/core/meter/decoder';
import { ackOptionSelect, iecBcc, parseIdentification, signOnRequest } from '../../../src/core/meter/iec62056';
import { loadProfile } from '../../../src/adapters/profiles';
import { feed, fixture, fixturePath, readings, reasons } from './feed';

const vectors = JSON.parse(readFileSync(fixturePath('iec62056-21', 'bcc_vectors.json'), 'utf8')) as {
  vectors: Array<{ hex?: string; ascii_escaped?: string; bcc_given: string; description: string }>;
};
const generic = () => createMeterDecoder(loadProfile('generic-iec62056-21'));

function unescape(s: string): Uint8Array {
  return Buffer.from(s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

describe('IEC 62056-21 BCC vectors (pwitab/iec62056-21)', () => {
  for (const v of vectors.vectors) {
    it(v.description, () => {
      const bytes = v.hex ? Buffer.from(v.hex, 'hex') : unescape(v.ascii_escaped!);
      // The vector ends with its BCC byte; the BCC covers everything before it.
      expect(iecBcc(bytes.subarray(0, bytes.length - 1)).toString(16).toUpperCase().padStart(2, '0')).toBe(v.bcc_given);
      expect(bytes[bytes.length - 1]).toBe(parseInt(v.bcc_given, 16));
    });
  }
});

describe('IEC 62056-21 readouts', () => {
  it('mode C readout with STX/ETX and BCC: short and full codes, blank values, leading spaces', () => {
    const events = feed(generic(), fixture('iec62056-21', 'mode_c_readout.txt'), { end: true });
    expect(events.filter((e) => !e.ok)).toEqual([]);
    const [e] = events;
    expect(e.ok && e.telegram).toMatchObject({ protocol: 'iec62056-21', identification: '/ISK5ME162-0033', checksum: 'ok', checksumGiven: '4D' });
    expect(e.ok && e.reading).toMatchObject({
      meterId: '12345678', energyImportWh: 12345678, energyExportWh: 0, powerW: 3680,
      voltageV: [230.1, 229.8, null], currentA: [16, 15.9, null], frequencyHz: 50.01,
    });
    expect(e.telegram?.values['72.7.0']).toEqual({ value: '' });
    expect(e.telegram?.values['1-0:1.7.0*255']).toEqual({ value: '3.680', unit: 'kW' });
  });

  it('a BCC mismatch is rejected', () => {
    const t = fixture('iec62056-21', 'mode_c_readout.txt').replace('1.8.0(0012345.678', '1.8.0(0012345.679');
    expect(reasons(feed(generic(), t, { end: true }))).toEqual(['bad_checksum']);
  });

  it('the ETX+BCC line may carry the next identification, and a BCC of LF is consumed by readline', () => {
    const t = fixture('iec62056-21', 'mode_c_readout.txt');
    expect(readings(feed(generic(), `${t}${t}\r\n`, { end: true }))).toHaveLength(2);
    // Construct a block whose BCC is 0x0a: adjust one free-text digit until it is.
    for (let d = 0; d < 75 * 75; d++) {
      const id = String.fromCharCode(0x30 + (d % 75), 0x30 + Math.floor(d / 75));
      const block = `0.0.0(${id})\r\n1.8.0(0000001.000*kWh)\r\n!\r\n\x03`;
      let x = 0;
      for (const c of block) x ^= c.charCodeAt(0);
      if (x !== 0x0a) continue;
      const events = feed(generic(), `/ISK5ME162\r\n\x02${block}\n`, { end: true });
      expect(reasons(events)).toEqual([]);
      expect(readings(events)).toHaveLength(1);
      return;
    }
    throw new Error('no block with BCC 0x0a');
  });

  it('missing ETX after "!" is truncated', () => {
    const t = fixture('iec62056-21', 'mode_c_readout.txt');
    const cut = t.slice(0, t.indexOf('\x03'));
    expect(reasons(feed(generic(), `${cut}${t}`, { end: true }))).toEqual(['truncated']);
  });

  it('push mode without BCC, and echoes of the sign-on request are not garbage', () => {
    const events = feed(generic(), `/?!\r\n${fixture('iec62056-21', 'push_no_bcc.txt')}`, { end: true });
    expect(reasons(events)).toEqual([]);
    expect(events[0].ok && events[0].telegram.checksum).toBe('none');
    expect(readings(events)[0]).toMatchObject({ meterId: '87654321', energyImportWh: 1234500, powerW: 1234 });
  });

  it('echoes of the option select inside a readout are skipped', () => {
    const t = fixture('iec62056-21', 'mode_c_readout.txt');
    const i = t.indexOf('\x02');
    const events = feed(generic(), `${t.slice(0, i)}\x06050\r\n${t.slice(i)}`, { end: true });
    expect(reasons(events)).toEqual([]);
    expect(readings(events)).toHaveLength(1);
  });

  it('key=value metering boards framed by "/" and "!"', () => {
    const [r] = readings(feed(generic(), fixture('iec62056-21', 'board_key_value.txt')));
    expect(r).toMatchObject({ meterId: 'BOARD-7', energyImportWh: 123456, powerW: 7360, voltageV: [230, null, null], currentA: [32, null, null], frequencyHz: 50 });
    expect(r.raw?.E_import).toBe('E_import=123456 Wh');
  });

  it('a readout whose BCC checks out is accepted whatever its identification (gateways, control bytes)', () => {
    const t = fixture('iec62056-21', 'mode_c_readout.txt');
    const body = t.slice(t.indexOf('\n') + 1);
    for (const ident of ['/HLD heat-link gw 7', '/', '/ISK5\x02ME162\x7f']) {
      const events = feed(generic(), `${ident}\r\n${body}`, { end: true });
      expect(reasons(events)).toEqual([]);
      const [e] = events;
      expect(e.ok && e.telegram).toMatchObject({ checksum: 'ok', identification: ident.replace('\x02', '\\x02').replace('\x7f', '\\x7f') });
      expect(e.ok && e.reading.energyImportWh).toBe(12345678);
      const bad = `${ident}\r\n${body.replace('1.8.0(0012345.678', '1.8.0(0012345.679')}`;
      expect(reasons(feed(generic(), bad, { end: true }))).toEqual(['bad_checksum']);
    }
  });

  it('identification line and mode C messages', () => {
    expect(parseIdentification('/ISk5\\2MT382-1000\r')).toEqual({ manufacturer: 'ISk', baudChar: '5', baudRate: 9600, capability: '2', ident: 'MT382-1000' });
    expect(parseIdentification('/LGZ4ZMF100AC.M29')).toMatchObject({ baudRate: 4800, ident: 'ZMF100AC.M29' });
    expect(parseIdentification('/?!')).toBeNull();
    expect(signOnRequest()).toBe('/?!\r\n');
    expect(ackOptionSelect('5')).toBe('\x06050\r\n');
  });
});

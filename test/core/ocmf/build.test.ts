import { describe, expect, it } from 'vitest';
import { buildOcmfPayload } from '../../../src/core/ocmf/build';
import { formatOcmfTime, parseOcmfTime } from '../../../src/core/ocmf/time';
import { parseOcmf } from '../../../src/core/ocmf/parse';
import { makeSession } from '../ledger/session-fixture';

const identity = { gatewayId: 'ChargeLedger', gatewaySerial: 'ST1', gatewayVersion: '0.1.0', meterVendor: 'Eastron', meterModel: 'SDM630', timeStatus: 'S' as const };

describe('OCMF time format', () => {
  it('formats UTC with comma milliseconds, +0000 and the state letter', () => {
    expect(formatOcmfTime('2019-08-13T10:03:15Z', 'S')).toBe('2019-08-13T10:03:15,000+0000 S');
    expect(formatOcmfTime('2025-11-25T09:00:00.123+01:00', 'I')).toBe('2025-11-25T08:00:00,123+0000 I');
  });
  it('parses OCMF times with offsets', () => {
    expect(parseOcmfTime('2018-07-24T13:22:04,000+0200 S')).toEqual({ iso: '2018-07-24T11:22:04.000Z', status: 'S' });
    expect(parseOcmfTime('2018-07-24 13:22:04')).toBeNull();
  });
  it('rejects a non-time', () => {
    expect(() => formatOcmfTime('yesterday', 'I')).toThrow(/ISO 8601/);
  });
});

describe('buildOcmfPayload', () => {
  it('writes the OCMF 1.x fields in order with B/E readings in integer Wh', () => {
    const s = makeSession(1, { stopReason: 'ev' });
    const p = buildOcmfPayload(s, identity, 42, { XH: 'ab' });
    expect(Object.keys(p)).toEqual(['FV', 'GI', 'GS', 'GV', 'PG', 'MV', 'MM', 'MS', 'IS', 'IL', 'IF', 'IT', 'ID', 'CT', 'CI', 'RD', 'XH']);
    expect(p).toMatchObject({ FV: '1.0', GI: 'ChargeLedger', GS: 'ST1', PG: 'T42', MS: 'CP1-1', IS: true, IT: 'ISO14443', ID: '04A2B3C4', CT: 'CBIDC', CI: 'CP1 2' });
    const rd = p.RD as Array<Record<string, unknown>>;
    expect(rd[0]).toEqual({ TM: '2025-11-25T09:00:00,000+0000 S', TX: 'B', RV: 110000, RI: '01-00:01.08.00', RU: 'Wh', RT: 'AC', EF: '', ST: 'G' });
    expect(rd[1]).toMatchObject({ TX: 'E', RV: 115520, TM: '2025-11-25T09:30:00,000+0000 S' });
  });
  it('marks a session without id tag as unassigned; the end reading is TX E whatever the stop reason', () => {
    const p = buildOcmfPayload(makeSession(3, { stopReason: 'remote' }), identity, 1);
    expect(p).toMatchObject({ IS: false, IL: 'NONE', IT: 'NONE', ID: '' });
    expect((p.RD as Array<Record<string, unknown>>)[1].TX).toBe('E');
  });
  it('refuses extension names outside the vendor range', () => {
    expect(() => buildOcmfPayload(makeSession(1), identity, 1, { FV: 'x' })).toThrow(/U\.\.Z/);
  });
});

describe('parseOcmf', () => {
  it('keeps the payload text exactly, including spaces and a "|" inside a string', () => {
    const text = 'OCMF|{ "GI" : "a|b", "RD":[{"RV":  1.50}] }|{"SD":"3006020101020101"}';
    const p = parseOcmf(text);
    expect(p.payloadText).toBe('{ "GI" : "a|b", "RD":[{"RV":  1.50}] }');
    expect(p.payload.GI).toBe('a|b');
    expect(p.signature.SD).toBe('3006020101020101');
  });
  it('names what is wrong', () => {
    expect(() => parseOcmf('XYZ|{}|{}')).toThrow(/must start with "OCMF\|"/);
    expect(() => parseOcmf('OCMF|{"a":1}')).toThrow(/signature section is missing/);
    expect(() => parseOcmf('OCMF|{"a":1}|{"SA":"x"}')).toThrow(/no SD/);
    expect(() => parseOcmf('OCMF|{"a":1|{"SD":"00"}')).toThrow(/not terminated|not valid JSON/);
  });
});

// The CDR builder on its own: what is billed as parking, which records get no CDR, ids within
// OCPI's 36 characters, and a bad site description named by field.
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../src/core/ledger/record';
import { buildCdr, cdrSkipReason, ocmfPlainData, ocpiId } from '../../../src/core/ocpi/cdr';
import { parseCdrSite } from '../../../src/core/ocpi/site';
import { parseTariff, priceSession } from '../../../src/core/tariff';
import type { Session } from '../../../src/core/types';
import { makeSession } from '../ledger/session-fixture';

const site = parseCdrSite({
  country_code: 'NL', party_id: 'CLG',
  location: { id: 'L1', address: 'Dorpsstraat 1', city: 'Utrecht', country: 'NLD', coordinates: { latitude: '52.09', longitude: '5.12' } },
  connector: { connector_standard: 'IEC_62196_T2', connector_format: 'SOCKET', connector_power_type: 'AC_3_PHASE' },
});
const tariff = parseTariff({
  country_code: 'NL', party_id: 'CLG', id: 'T2', currency: 'EUR', last_updated: '2025-01-01T00:00:00Z',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }, { type: 'TIME', price: 1.2, vat: 21, step_size: 60 }] }],
  min_price: { excl_vat: 5.0, incl_vat: 6.05 },
});

function record(session: Session, pricing?: unknown): LedgerRecord {
  return { v: 1, id: session.id, seq: 7, prev: '0'.repeat(64), stationId: session.stationId, keyId: '0123456789abcdef', createdAt: '2025-11-25T10:00:01.000Z', session, pricing, ocmf: 'OCMF|{"FV":"1.0"}|{"SD":"00"}', hash: 'f'.repeat(64) };
}

describe('OCPI CDR of a ledger record', () => {
  it('time the station withheld power is not parking time; the min_price total is the one billed', () => {
    const s = makeSession(1, { periods: [{ ...makeSession(1).periods[0], idleS: 100, heldS: 40 } as Session['periods'][0]] });
    const pricing = priceSession(s, { sell: tariff });
    const cdr = buildCdr(record(s, pricing), site);
    expect(cdr.charging_periods[0].dimensions.find((d) => d.type === 'PARKING_TIME')).toEqual({ type: 'PARKING_TIME', volume: 0.0167 }); // 60 s
    expect(cdr.total_cost).toEqual({ excl_vat: Number(pricing.revenue.total.exclVat), incl_vat: Number(pricing.revenue.total.inclVat) });
    expect(cdr.total_cost.excl_vat).toBe(5);
    expect(cdr.remark).toBe("total_cost is the tariff's min_price");
    expect(cdr.total_energy_cost!.excl_vat + cdr.total_time_cost!.excl_vat).toBeLessThan(5);
    expect(cdr.cdr_location).toMatchObject({ evse_uid: 'CP1-2', evse_id: 'NL*CLG*ECP1*2', connector_id: '2' });
    expect(cdr.signed_data.public_key).toBeUndefined();
  });

  it('unattributed energy, a session without idTag and an unpriced record get no CDR', () => {
    const priced = priceSession(makeSession(1), { sell: tariff });
    const unattributed = { ...makeSession(1), idTag: undefined, type: 'unattributed', stopReason: 'unknown', unattributed: { reason: 'crash' } } as unknown as Session;
    expect(cdrSkipReason(record(unattributed, priced))).toMatch(/unattributed/);
    expect(cdrSkipReason(record(makeSession(3), priced))).toMatch(/no idTag/); // makeSession(3) has none
    expect(cdrSkipReason(record(makeSession(1), { currency: 'EUR' }))).toMatch(/not priced/);
    expect(cdrSkipReason(record(makeSession(1), priced))).toBeNull();
    expect(() => buildCdr(record(makeSession(3), priced), site)).toThrow(/seq 7 .*no idTag/);
  });

  it('plain_data stays within 512 characters: the OCMF payload when it fits, else its readings in words', () => {
    const short = 'OCMF|{"FV":"1.0","RD":[]}|{"SD":"00"}';
    expect(ocmfPlainData(short)).toBe('{"FV":"1.0","RD":[]}');
    const rd = (tx: string, rv: number) => ({ TM: '2025-11-25T09:00:00,000+0000 I', TX: tx, RV: rv, RI: '01-00:01.08.00', RU: 'Wh' });
    const long = `OCMF|${JSON.stringify({ FV: '1.0', GI: 'x'.repeat(500), MS: 'M1', ID: 'TAG1', RD: [rd('B', 100), rd('E', 5620)] })}|{"SD":"00"}`;
    expect(ocmfPlainData(long)).toBe('OCMF meter M1 id TAG1: B 100 Wh 01-00:01.08.00 at 2025-11-25T09:00:00,000+0000 I; E 5620 Wh 01-00:01.08.00 at 2025-11-25T09:00:00,000+0000 I');
  });

  it('keeps ids within OCPI CiString(36), stably', () => {
    const long = 'a-very-long-station-name-CP1-1-20251125T090000Z-k3x9';
    expect(ocpiId('short-id')).toBe('short-id');
    expect(ocpiId(long)).toHaveLength(36);
    expect(ocpiId(long)).toBe(ocpiId(long));
    expect(ocpiId(long)).not.toBe(ocpiId(`${long}x`));
  });

  it('names the missing or bad field of a site description', () => {
    expect(() => parseCdrSite({ country_code: 'NLD', party_id: 'CLG' })).toThrow(/site\.country_code/);
    expect(() => parseCdrSite({ country_code: 'NL', party_id: 'CLG', location: { id: 'L', address: 'a', city: 'c', country: 'NLD' } })).toThrow(/coordinates/);
    const noConnector = parseCdrSite({ country_code: 'NL', party_id: 'CLG', location: { id: 'L', address: 'a', city: 'c', country: 'NLD', coordinates: { latitude: '1', longitude: '2' } } });
    expect(() => noConnector.evseOf('CP1', '1')).toThrow(/connector_standard for CP1\/1 is missing/);
    expect(() => parseCdrSite({ country_code: 'NL', party_id: 'CLG', location: { id: 'L', address: 'a'.repeat(46), city: 'c', country: 'NLD', coordinates: { latitude: '1', longitude: '2' } } })).toThrow(/site\.location\.address is longer than OCPI's 45 characters/);
  });
});

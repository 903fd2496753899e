// The session export is usable: the CSV carries the money an accountant needs, and
// `sessions --format cdr` writes OCPI 2.2.1 CDRs with the signed price and the signed OCMF.
// Records are priced by src/core/tariff (as the price node does) and signed by the real store;
// the real bin/chargeledger.js reads them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOcmfString } from '../../src/adapters/crypto/ledger';
import { listPublicKeys } from '../../src/adapters/keys/keystore';
import { openStation } from '../../src/adapters/store/station';
import type { LedgerRecord } from '../../src/core/ledger/record';
import { parseBuyRates, parseTariff, priceSession, type PricingResult } from '../../src/core/tariff';
import { makeSession } from '../core/ledger/session-fixture';
import { runBin } from './bin';

const tariff = parseTariff({
  country_code: 'DE', party_id: 'CLG', id: 'T-AC-1', currency: 'EUR', last_updated: '2025-01-01T00:00:00Z',
  elements: [{ price_components: [{ type: 'FLAT', price: 1.0, vat: 19.0, step_size: 1 }, { type: 'ENERGY', price: 0.39, vat: 19.0, step_size: 1 }, { type: 'PARKING_TIME', price: 6.0, vat: 19.0, step_size: 60 }] }],
});
const buy = parseBuyRates({ currency: 'EUR', fixedPricePerKWh: '0.21' });

/** The CDR fields OCPI 2.2.1 (mod_cdrs, CDR Object) marks with cardinality 1 or +. */
const REQUIRED = ['country_code', 'party_id', 'id', 'start_date_time', 'end_date_time', 'cdr_token', 'auth_method', 'cdr_location', 'currency', 'charging_periods', 'total_cost', 'total_energy', 'total_time', 'last_updated'];
const REQUIRED_TOKEN = ['country_code', 'party_id', 'uid', 'type', 'contract_id'];
const REQUIRED_LOCATION = ['id', 'address', 'city', 'country', 'coordinates', 'evse_uid', 'evse_id', 'connector_id', 'connector_standard', 'connector_format', 'connector_power_type'];
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;

describe('session export: money columns and OCPI CDRs (spawned CLI)', () => {
  let root: string;
  let data: string;
  let home: string;
  let site: string;
  const priced: PricingResult[] = [];
  const records: LedgerRecord[] = [];
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cl-money-'));
    data = path.join(root, 'data');
    home = path.join(root, 'home');
    mkdirSync(home);
    const st = openStation({ dataDir: data, stationId: 'station-1', identity: { gatewayId: 'CL', gatewaySerial: 'station-1', timeStatus: 'I' } });
    for (let n = 1; n <= 3; n++) {
      const session = makeSession(n, { stationId: 'station-1' }); // n = 3 has no idTag
      const pricing = priceSession(session, { sell: tariff, buy });
      priced.push(pricing);
      records.push((await st.store.append(session, { pricing })).record);
    }
    records.push((await st.store.append(makeSession(4, { stationId: 'station-1' }))).record); // not priced
    await st.store.close();
    site = path.join(root, 'site.json');
    writeFileSync(site, JSON.stringify({
      country_code: 'DE', party_id: 'CLG',
      location: { id: 'LOC1', name: 'Depot', address: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DEU', coordinates: { latitude: '52.5200', longitude: '13.4050' } },
      connector: { connector_standard: 'IEC_62196_T2', connector_format: 'SOCKET', connector_power_type: 'AC_3_PHASE' },
      evses: { 'CP1/2': { evse_uid: 'CP1-2', evse_id: 'DE*CLG*E0001*2' } },
      token: { country_code: 'DE', party_id: 'EMS', type: 'RFID' },
    }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('CSV has currency, revenue excl./incl. VAT, cost, margin, tariff id and idTag per session', () => {
    const r = runBin(['sessions', '--format', 'csv'], { home, cwd: root, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.code).toBe(0);
    const [head, ...rows] = r.out.trim().split('\n');
    const cols = head.split(',');
    const row = (i: number) => Object.fromEntries(rows[i].split(',').map((v, k) => [cols[k], v]));
    for (let i = 0; i < 3; i++) {
      expect(row(i)).toMatchObject({
        seq: String(i + 1), currency: 'EUR', tariffId: 'T-AC-1',
        revenueExclVat: priced[i].revenue.total.exclVat, revenueInclVat: priced[i].revenue.total.inclVat,
        cost: priced[i].cost!.total.exclVat, margin: priced[i].margin,
      });
    }
    // 5.52 kWh × 0.39 + 1.00 flat + 100 s parking → 2 min × 6.00/h = 0.20; VAT 19 %.
    expect(row(0)).toMatchObject({ idTag: '04A2B3C4', revenueExclVat: '3.35', revenueInclVat: '3.99', cost: '1.16', margin: '2.19' });
    expect(row(2).idTag).toBe('');
    expect(row(3)).toMatchObject({ seq: '4', currency: '', revenueExclVat: '', margin: '', tariffId: '' });
  });

  it('--format cdr writes one OCPI 2.2.1 CDR per priced, attributed session, with the signed price and OCMF', () => {
    const r = runBin(['sessions', '--format', 'cdr', '--site', site], { home, cwd: root, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/1 record without a CDR: no idTag/);
    expect(r.err).toMatch(/1 record without a CDR: not priced/);
    const cdrs = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(cdrs.map((c) => c.session_id)).toEqual(['sess-1', 'sess-2']);
    const keys = listPublicKeys(path.join(data, 'station-1', 'keys'));
    cdrs.forEach((cdr, i) => {
      for (const f of REQUIRED) expect(cdr, f).toHaveProperty(f);
      for (const f of REQUIRED_TOKEN) expect(typeof cdr.cdr_token[f], `cdr_token.${f}`).toBe('string');
      for (const f of REQUIRED_LOCATION) expect(cdr.cdr_location, `cdr_location.${f}`).toHaveProperty(f);
      expect(cdr.start_date_time).toMatch(DATETIME);
      expect(cdr.end_date_time).toMatch(DATETIME);
      expect(cdr.last_updated).toMatch(DATETIME);
      expect(cdr.id.length).toBeLessThanOrEqual(36);
      expect(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']).toContain(cdr.auth_method);
      expect(cdr.charging_periods.length).toBeGreaterThan(0);
      for (const p of cdr.charging_periods) {
        expect(p.start_date_time).toMatch(DATETIME);
        expect(p.tariff_id).toBe('T-AC-1');
        expect(p.dimensions.length).toBeGreaterThan(0);
        for (const d of p.dimensions) expect(['ENERGY', 'MAX_CURRENT', 'MIN_CURRENT', 'MAX_POWER', 'MIN_POWER', 'PARKING_TIME', 'RESERVATION_TIME', 'TIME']).toContain(d.type);
      }
      const p = priced[i];
      // The price the driver was shown, as signed: not repriced.
      expect(cdr.currency).toBe('EUR');
      expect(cdr.total_cost).toEqual({ excl_vat: Number(p.revenue.total.exclVat), incl_vat: Number(p.revenue.total.inclVat) });
      expect(cdr.total_cost).toEqual(records[i].pricing && { excl_vat: 3.35, incl_vat: 3.99 });
      expect(cdr.total_fixed_cost).toEqual({ excl_vat: 1, incl_vat: 1.19 });
      expect(cdr.total_energy_cost).toEqual({ excl_vat: 2.15, incl_vat: 2.56 });
      expect(cdr.total_parking_cost).toEqual({ excl_vat: 0.2, incl_vat: 0.24 });
      expect(cdr.total_time_cost).toBeUndefined(); // the tariff has no TIME component
      expect(cdr.total_energy).toBe(5.52);
      expect(cdr.total_time).toBe(0.5);
      expect(cdr.total_parking_time).toBe(0.0278); // 100 s
      expect(cdr.charging_periods[0].dimensions).toEqual([
        { type: 'ENERGY', volume: 5.52 }, { type: 'TIME', volume: 0.4722 }, { type: 'PARKING_TIME', volume: 0.0278 }, { type: 'MAX_POWER', volume: 11.1 }, { type: 'MAX_CURRENT', volume: 16 },
      ]);
      // The proof: the record's own OCMF, verifiable with the public key that comes along.
      const sd = cdr.signed_data;
      expect(sd.encoding_method).toBe('OCMF');
      expect(sd.signed_values).toHaveLength(1);
      const sv = sd.signed_values[0];
      expect(sv.nature).toBe('End');
      const ocmf = Buffer.from(sv.signed_data, 'base64').toString('utf8');
      expect(ocmf).toBe(records[i].ocmf);
      // plain_data is string(512): the payload when it fits, else the signed readings in words.
      expect(sv.plain_data.length).toBeLessThanOrEqual(512);
      const payload = ocmf.split('|')[1];
      if (payload.length <= 512) expect(sv.plain_data).toBe(payload);
      else expect(sv.plain_data).toMatch(/^OCMF meter CP1-1 id 04A2B3C4: B \d+ Wh 01-00:01\.08\.00 at .+; E \d+ Wh 01-00:01\.08\.00 at /);
      expect(sd.public_key).toBe(Buffer.from(keys.get(records[i].keyId)!.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'));
      expect(verifyOcmfString(ocmf, keys.get(records[i].keyId)!).verdict).toBe('valid');
    });
    expect(cdrs[0].cdr_location).toMatchObject({ id: 'LOC1', country: 'DEU', evse_uid: 'CP1-2', evse_id: 'DE*CLG*E0001*2', connector_id: '2', connector_standard: 'IEC_62196_T2' });
    expect(cdrs[1].cdr_location).toMatchObject({ evse_uid: 'CP1-1', evse_id: 'DE*CLG*ECP1*1', connector_id: '1' });
    expect(cdrs[0].cdr_token).toEqual({ country_code: 'DE', party_id: 'EMS', uid: '04A2B3C4', type: 'RFID', contract_id: '04A2B3C4' });
  });

  it('has the shape of the OCPI 2.2.1 CDR example (every field the example fills, with the same types)', () => {
    const example = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/ocpi/cdr_example.json'), 'utf8'));
    const r = runBin(['sessions', '--format', 'cdr', '--site', site], { home, cwd: root, env: { CHARGELEDGER_DATA_DIR: data } });
    const cdr = JSON.parse(r.out.split('\n')[0]);
    const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);
    // Optional fields the example fills but a session may lack (tariffs: named by tariff_id; a
    // tariff without TIME has no total_time_cost) are compared where present.
    for (const [k, v] of Object.entries(example)) if (REQUIRED.includes(k) || k in cdr) expect(typeOf(cdr[k]), k).toBe(typeOf(v));
    for (const k of Object.keys(example.cdr_location)) expect(typeOf(cdr.cdr_location[k]), `cdr_location.${k}`).toBe(typeOf(example.cdr_location[k]));
    for (const k of Object.keys(example.total_cost)) expect(typeof cdr.total_cost[k]).toBe('number');
  });

  it('--format cdr without --site is a usage error; a bad site file names the field', () => {
    expect(runBin(['sessions', '--format', 'cdr'], { home, cwd: root, env: { CHARGELEDGER_DATA_DIR: data } }).code).toBe(2);
    const bad = path.join(root, 'bad-site.json');
    writeFileSync(bad, JSON.stringify({ country_code: 'DE', party_id: 'CLG', location: { id: 'L' } }));
    const r = runBin(['sessions', '--format', 'cdr', '--site', bad], { home, cwd: root, env: { CHARGELEDGER_DATA_DIR: data } });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/site\.location\.address is required/);
  });
});

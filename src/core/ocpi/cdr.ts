// OCPI 2.2.1 CDR (mod_cdrs "CDR Object") of one signed ledger record: the price the driver was
// shown, exactly as the price node computed and the station signed it (record.pricing, from
// src/core/tariff — never repriced here), and the signed OCMF as its proof (SignedData).
import { sha256Hex } from '../ledger/canonical';
import type { LedgerRecord } from '../ledger/record';
import { ratio, roundHalfUp, mul } from '../money/decimal';
import { formatMinor } from '../money/money';
import type { PricingResult, RevenueComponent } from '../tariff/result';
import type { Session } from '../types';
import type { CdrSite } from './site';

/** OCPI Price: amounts in major units (JSON numbers, exact decimal text). */
export interface OcpiPrice {
  excl_vat: number;
  incl_vat?: number;
}

/** OCPI CdrDimension. */
export interface CdrDimension {
  type: 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'MAX_POWER' | 'MAX_CURRENT';
  volume: number;
}

/** OCPI ChargingPeriod. */
export interface ChargingPeriod {
  start_date_time: string;
  dimensions: CdrDimension[];
  tariff_id?: string;
}

/** OCPI SignedValue. */
export interface SignedValue {
  nature: string;
  plain_data: string;
  signed_data: string;
}

/** OCPI SignedData. */
export interface SignedData {
  encoding_method: string;
  encoding_method_version?: number;
  public_key?: string;
  signed_values: SignedValue[];
}

/** The OCPI 2.2.1 CDR object as written (the fields this station can fill). */
export interface OcpiCdr {
  country_code: string;
  party_id: string;
  id: string;
  start_date_time: string;
  end_date_time: string;
  session_id: string;
  cdr_token: { country_code: string; party_id: string; uid: string; type: string; contract_id: string };
  auth_method: string;
  cdr_location: Record<string, unknown>;
  meter_id?: string;
  currency: string;
  charging_periods: ChargingPeriod[];
  signed_data: SignedData;
  total_cost: OcpiPrice;
  total_fixed_cost?: OcpiPrice;
  total_energy: number;
  total_energy_cost?: OcpiPrice;
  total_time: number;
  total_time_cost?: OcpiPrice;
  total_parking_time?: number;
  total_parking_cost?: OcpiPrice;
  remark?: string;
  last_updated: string;
}

/**
 * SignedValue.nature of the one OCMF string per record. OCPI 2.2.1 names "Start", "End" and
 * "Intermediate"; the record's OCMF holds the end reading (with the begin reading), so "End".
 */
export const OCMF_SIGNED_NATURE = 'End';

/** OCPI SignedValue.plain_data is string(512). */
const PLAIN_DATA_MAX = 512;

/**
 * SignedValue.plain_data of an OCMF string: its payload section as text when that fits OCPI's
 * 512 characters, else the signed readings in words (meter, idTag, each reading's type, value,
 * unit and time). The whole OCMF string, the proof, is always in signed_data.
 */
export function ocmfPlainData(ocmf: string): string {
  const payload = ocmf.split('|')[1] ?? '';
  if (payload.length <= PLAIN_DATA_MAX) return payload;
  let p: { MS?: unknown; ID?: unknown; RD?: Array<Record<string, unknown>> };
  try {
    p = JSON.parse(payload) as typeof p;
  } catch {
    return payload.slice(0, PLAIN_DATA_MAX);
  }
  const readings = (Array.isArray(p.RD) ? p.RD : []).map((r) => `${String(r.TX)} ${String(r.RV)} ${String(r.RU)} ${String(r.RI)} at ${String(r.TM)}`);
  return `OCMF meter ${String(p.MS ?? '')} id ${String(p.ID ?? '')}: ${readings.join('; ')}`.slice(0, PLAIN_DATA_MAX);
}

/** Why a record gets no CDR (null when it gets one). */
export function cdrSkipReason(record: LedgerRecord): string | null {
  const s = record.session as Session & { type?: string };
  if (s.type === 'unattributed') return 'unattributed energy is never billed to a driver';
  if (!s.idTag) return 'no idTag: no eMSP token to bill';
  const p = record.pricing as Partial<PricingResult> | undefined;
  if (!p || typeof p !== 'object' || !p.currency || !p.revenue?.total) return 'not priced (no pricing on the record)';
  return null;
}

/** A whole-number ratio num/den as a JSON number with at most `places` decimals (half-up). */
function decimalNumber(num: bigint, den: bigint, places = 4): number {
  const scale = 10n ** BigInt(places);
  const scaled = roundHalfUp(mul(ratio(num, den), ratio(scale)));
  const neg = scaled < 0n;
  const abs = (neg ? -scaled : scaled).toString().padStart(places + 1, '0');
  return Number(`${neg ? '-' : ''}${abs.slice(0, abs.length - places)}.${abs.slice(abs.length - places)}`);
}

const hours = (seconds: number): number => decimalNumber(BigInt(Math.round(seconds)), 3600n);
const kWh = (wh: number | string): number => decimalNumber(BigInt(wh), 1000n);

/** Sum of the priced components of some tariff dimensions, or undefined when there are none. */
function componentSum(components: RevenueComponent[], types: RevenueComponent['type'][], currency: string): OcpiPrice | undefined {
  const picked = components.filter((c) => types.includes(c.type));
  if (picked.length === 0) return undefined;
  const excl = picked.reduce((a, c) => a + BigInt(c.exclVatMinor), 0n);
  const incl = picked.reduce((a, c) => a + BigInt(c.inclVatMinor), 0n);
  return { excl_vat: Number(formatMinor(excl, currency)), incl_vat: Number(formatMinor(incl, currency)) };
}

/** An OCPI CiString(36) id: the value itself when short enough, else a stable digest of it. */
export function ocpiId(value: string): string {
  return value.length <= 36 ? value : sha256Hex(value).slice(0, 36);
}

/** Seconds of a period the station withheld power (not billed as parking; see Session.heldS). */
const heldOf = (p: object): number => Math.max(0, Number((p as { heldS?: number }).heldS ?? 0));

/**
 * The CDR of one priced, attributed record; throws when cdrSkipReason() gives a reason.
 * `publicKeySpki` (the key named by record.keyId) goes into signed_data.public_key when known.
 */
export function buildCdr(record: LedgerRecord, site: CdrSite, publicKeySpki?: Buffer): OcpiCdr {
  const skip = cdrSkipReason(record);
  if (skip) throw new Error(`record seq ${record.seq} (${record.id}): ${skip}`);
  const s = record.session;
  const pricing = record.pricing as PricingResult;
  const currency = pricing.currency;
  const total = pricing.revenue.total;
  const components = pricing.revenue.components ?? [];
  const evse = site.evseOf(s.chargerId, s.connectorId);
  const periods: ChargingPeriod[] = s.periods.map((p) => {
    const dims: CdrDimension[] = [{ type: 'ENERGY', volume: kWh(p.energyWh) }, { type: 'TIME', volume: hours(p.chargingS) }];
    const parkingS = Math.max(0, p.idleS - heldOf(p));
    if (parkingS > 0) dims.push({ type: 'PARKING_TIME', volume: hours(parkingS) });
    if (p.maxPowerW > 0) dims.push({ type: 'MAX_POWER', volume: decimalNumber(BigInt(Math.round(p.maxPowerW)), 1000n) });
    if (p.maxCurrentA !== null && p.maxCurrentA !== undefined) dims.push({ type: 'MAX_CURRENT', volume: Number(p.maxCurrentA) });
    return { start_date_time: p.start, dimensions: dims, tariff_id: pricing.tariffId };
  });
  if (periods.length === 0) {
    // A session without metering intervals still has its totals: one period carries them.
    periods.push({ start_date_time: s.startTime, dimensions: [{ type: 'ENERGY', volume: kWh(s.energyWh) }, { type: 'TIME', volume: hours(s.chargingTimeS) }], tariff_id: pricing.tariffId });
  }
  const cdr: OcpiCdr = {
    country_code: site.countryCode,
    party_id: site.partyId,
    id: ocpiId(record.id),
    start_date_time: s.startTime,
    end_date_time: s.endTime,
    session_id: ocpiId(s.id),
    cdr_token: { country_code: site.token.countryCode, party_id: site.token.partyId, uid: s.idTag!, type: site.token.type, contract_id: s.idTag! },
    auth_method: site.authMethod,
    cdr_location: { ...site.location, ...evse },
    meter_id: s.endReading.meterId,
    currency,
    charging_periods: periods,
    signed_data: {
      encoding_method: 'OCMF',
      ...(publicKeySpki ? { public_key: publicKeySpki.toString('base64') } : {}),
      // signed_data: the whole OCMF string (payload and signature), base64 as OCPI asks, so an
      // eMSP can check it with the OCMF tools; plain_data: readable text (see ocmfPlainData).
      signed_values: [{ nature: OCMF_SIGNED_NATURE, plain_data: ocmfPlainData(record.ocmf), signed_data: Buffer.from(record.ocmf, 'utf8').toString('base64') }],
    },
    total_cost: { excl_vat: Number(total.exclVat), incl_vat: Number(total.inclVat) },
    total_energy: kWh(s.energyWh),
    total_time: hours(s.durationS),
    last_updated: record.createdAt,
  };
  const fixed = componentSum(components, ['FLAT'], currency);
  const energy = componentSum(components, ['ENERGY'], currency);
  const time = componentSum(components, ['TIME'], currency);
  const parking = componentSum(components, ['PARKING_TIME'], currency);
  if (fixed) cdr.total_fixed_cost = fixed;
  if (energy) cdr.total_energy_cost = energy;
  if (time) cdr.total_time_cost = time;
  cdr.total_parking_time = hours(Number(pricing.totalParkingS ?? 0));
  if (parking) cdr.total_parking_cost = parking;
  if (pricing.revenue.limit?.exclVat) cdr.remark = `total_cost is the tariff's ${pricing.revenue.limit.exclVat === 'min' ? 'min_price' : 'max_price'}`;
  return cdr;
}

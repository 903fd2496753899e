// Price one session end to end: revenue (sell tariff), cost (buy rates), margin, hashes.
import { formatMinor, minorToNumber } from '../money/money';
import type { Session } from '../types';
import { TariffError } from './errors';
import { versionHash } from './hash';
import { LocalClock } from './localtime';
import type { BuyRates, DynamicPrices, Tariff } from './model';
import { priceCost } from './buy';
import type { PricingResult, RevenueResult } from './result';
import { priceRevenue, thousandths } from './sell';
import { usageFromSession, type ReservationUsage, type Usage } from './usage';

/** A reservation that preceded the session: ISO 8601 times; expired = no charging session followed it. */
export interface ReservationInput {
  start: string;
  end: string;
  expired: boolean;
}

/** Everything a session is priced with. */
export interface PricingInput {
  sell: Tariff;
  buy?: BuyRates;
  /** IANA zone for restriction times; default "UTC". */
  timezone?: string;
  /** Dynamic buy prices as last received. */
  dynamic?: DynamicPrices;
  /** Wall clock for judging dynamic-feed staleness, ms; default the usage end. */
  nowMs?: number;
  /**
   * The reservation before the session, priced with the tariff's RESERVATION / RESERVATION_EXPIRES
   * elements. Kept out of Session: a reservation is not metered, and an expired one has no session.
   */
  reservation?: ReservationInput;
}

/** Parse a ReservationInput; throws TariffError on bad times. */
export function parseReservation(r: ReservationInput): ReservationUsage {
  const startMs = Date.parse(String(r?.start));
  const endMs = Date.parse(String(r?.end));
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new TariffError('reservation.start/end must be ISO 8601 date-times');
  if (endMs < startMs) throw new TariffError('reservation ends before it starts');
  if (typeof r.expired !== 'boolean') throw new TariffError('reservation.expired must be true or false');
  return { startMs, endMs, expired: r.expired };
}

/** The limit that set the total, if any (excl. VAT first). */
function appliedLimit(revenue: RevenueResult): 'min_price' | 'max_price' | undefined {
  const l = revenue.limit.exclVat ?? revenue.limit.inclVat;
  return l === 'min' ? 'min_price' : l === 'max' ? 'max_price' : undefined;
}

/** Price usage (already normalised) with a validated tariff and optional buy rates. */
export function priceUsage(usage: Usage, input: PricingInput): PricingResult {
  if (input.reservation) usage = { ...usage, reservation: parseReservation(input.reservation) };
  const tz = input.timezone ?? 'UTC';
  const res = usage.reservation;
  const clock = new LocalClock(tz, Math.min(usage.startMs, res?.startMs ?? usage.startMs), Math.max(usage.endMs, res?.endMs ?? usage.endMs));
  const revenue = priceRevenue(input.sell, usage, clock);
  let energy = 0;
  let charging = 0;
  let parking = 0;
  let held = 0;
  for (const iv of usage.intervals) {
    energy += iv.energyMWh;
    charging += iv.chargingMs;
    parking += iv.parkingMs;
    held += iv.heldMs ?? 0;
  }
  const result: PricingResult = {
    currency: input.sell.currency,
    tariffId: input.sell.id,
    tariffHash: versionHash(input.sell),
    timezone: tz,
    totalEnergyWh: thousandths(energy),
    totalTimeS: Math.round((usage.endMs - usage.startMs) / 1000),
    totalChargingS: thousandths(charging),
    totalParkingS: thousandths(parking),
    heldS: thousandths(held),
    roundingRule: 'exact-sum',
    revenue,
  };
  if (res) result.totalReservationS = thousandths(res.endMs - res.startMs);
  const lim = appliedLimit(revenue);
  if (lim) result.appliedLimit = lim;
  if (input.buy) {
    const cost = priceCost(input.buy, usage, clock, input.dynamic, input.nowMs ?? usage.endMs);
    // The hash pins the rates and, when used, the dynamic prices, so repricing is reproducible.
    result.costRatesHash = versionHash({ buy: input.buy, dynamic: input.buy.dynamic ? input.dynamic?.entries ?? null : null });
    result.cost = cost;
    const margin = BigInt(revenue.total.exclVatMinor) - BigInt(cost.total.exclVatMinor);
    result.marginMinor = minorToNumber(margin);
    result.margin = formatMinor(margin, input.sell.currency);
  }
  return result;
}

/** Whether a record is unattributed energy (shared contract: `type: 'unattributed'`), never billed to a driver. */
export function isUnattributed(s: Session): boolean {
  return (s as Session & { type?: unknown }).type === 'unattributed';
}

/** Zero revenue of a currency (no components, no limit applied). */
function noRevenue(currency: string): RevenueResult {
  const zero = { exclVat: formatMinor(0n, currency), inclVat: formatMinor(0n, currency), exclVatMinor: 0, inclVatMinor: 0 };
  return { components: [], subtotal: zero, total: { ...zero }, limit: { exclVat: null, inclVat: null } };
}

/**
 * Price a finished ChargeLedger session from its meter periods. Unattributed energy gets zero
 * revenue (no driver to bill; min_price does not apply) while its cost is still computed.
 */
export function priceSession(session: Session, input: PricingInput): PricingResult {
  const usage = usageFromSession(session);
  if (!isUnattributed(session)) return priceUsage(usage, input);
  const r = priceUsage(usage, { ...input, sell: { ...input.sell, elements: [], min_price: undefined, max_price: undefined, start_date_time: undefined, end_date_time: undefined }, reservation: undefined });
  // The hash names the tariff in force, not the emptied copy used to compute nothing.
  const out: PricingResult = { ...r, tariffHash: versionHash(input.sell), revenue: noRevenue(input.sell.currency), unattributed: true };
  delete out.appliedLimit;
  if (out.cost) {
    const margin = -BigInt(out.cost.total.exclVatMinor);
    out.marginMinor = minorToNumber(margin);
    out.margin = formatMinor(margin, input.sell.currency);
  }
  return out;
}

// Price one session end to end: revenue (sell tariff), cost (buy rates), margin, hashes.
import { formatMinor, minorToNumber } from '../money/money';
import type { Session } from '../types';
import { versionHash } from './hash';
import { LocalClock } from './localtime';
import type { BuyRates, DynamicPrices, Tariff } from './model';
import { priceCost } from './buy';
import type { PricingResult } from './result';
import { priceRevenue, thousandths } from './sell';
import { usageFromSession, type Usage } from './usage';

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
}

/** Price usage (already normalised) with a validated tariff and optional buy rates. */
export function priceUsage(usage: Usage, input: PricingInput): PricingResult {
  const tz = input.timezone ?? 'UTC';
  const clock = new LocalClock(tz, usage.startMs, usage.endMs);
  const revenue = priceRevenue(input.sell, usage, clock);
  let energy = 0;
  let charging = 0;
  let parking = 0;
  for (const iv of usage.intervals) {
    energy += iv.energyMWh;
    charging += iv.chargingMs;
    parking += iv.parkingMs;
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
    revenue,
  };
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

/** Price a finished ChargeLedger session from its meter periods. */
export function priceSession(session: Session, input: PricingInput): PricingResult {
  return priceUsage(usageFromSession(session), input);
}

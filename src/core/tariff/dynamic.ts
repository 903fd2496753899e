// Dynamic buy prices (e.g. hourly day-ahead) received at run time as `{topic:'prices'}`.
import { parseDecimal } from '../money/decimal';
import { TariffError } from './errors';
import type { DynamicPriceEntry, DynamicPrices } from './model';

/** How many entries to keep: older ones are dropped (a week of 15-minute prices). */
const MAX_ENTRIES = 7 * 96;

/** Validate a price feed payload: a list of {start, end, priceMinorPerKWh}. */
export function parsePriceFeed(payload: unknown): DynamicPriceEntry[] {
  if (!Array.isArray(payload)) throw new TariffError('prices: payload must be a list of {start, end, priceMinorPerKWh}');
  return payload.map((e, i) => {
    const p = `prices[${i}]`;
    if (typeof e !== 'object' || e === null) throw new TariffError(`${p}: must be an object`);
    const { start, end, priceMinorPerKWh } = e as Record<string, unknown>;
    if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) throw new TariffError(`${p}.start: must be an ISO 8601 date-time`);
    if (typeof end !== 'string' || !(Date.parse(end) > Date.parse(start))) throw new TariffError(`${p}.end: must be an ISO 8601 date-time after start`);
    if (typeof priceMinorPerKWh !== 'number' && typeof priceMinorPerKWh !== 'string') throw new TariffError(`${p}.priceMinorPerKWh: must be a number`);
    try {
      parseDecimal(priceMinorPerKWh);
    } catch {
      throw new TariffError(`${p}.priceMinorPerKWh: must be a decimal number`);
    }
    return { start, end, priceMinorPerKWh };
  });
}

/** Merge a new feed into the held prices: new entries replace overlapping old ones. */
export function mergePriceFeed(prev: DynamicPrices | undefined, entries: DynamicPriceEntry[], nowMs: number): DynamicPrices {
  const fresh = entries.map((e) => ({ e, a: Date.parse(e.start), b: Date.parse(e.end) }));
  const kept = (prev?.entries ?? []).filter((old) => {
    const a = Date.parse(old.start);
    const b = Date.parse(old.end);
    return !fresh.some((n) => n.a < b && a < n.b);
  });
  const all = [...kept, ...entries].sort((x, y) => Date.parse(x.start) - Date.parse(y.start));
  return { receivedAtMs: nowMs, entries: all.slice(-MAX_ENTRIES) };
}

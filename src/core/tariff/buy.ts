// Cost: what the delivered energy cost the operator, from fixed, time-of-use or dynamic rates.
// Each slice of energy takes, in order: the dynamic price covering its start (if the feed is
// fresh), else the first matching time-of-use band, else the fixed rate. Energy is costed
// in the interval it was delivered; intervals are split only where they straddle a rate
// boundary. Each distinct rate is one component, rounded half-up to the minor unit.
import { minorDigits } from '../money/currency';
import { div, mul, parseDecimal, ratio, type Ratio } from '../money/decimal';
import { formatMinor, minorToNumber, roundToMinor } from '../money/money';
import { inTimeWindow, minutesOf, type LocalClock, type LocalTime } from './localtime';
import { DAYS, type BuyRates, type DynamicPrices, type TouBand } from './model';
import type { CostComponent, CostResult } from './result';
import { sliceUsage } from './slices';
import { thousandths } from './sell';
import type { Usage } from './usage';

interface Rate {
  source: CostComponent['source'];
  name?: string;
  price: Ratio;
  priceText: string;
}

interface DynamicEntry {
  startMs: number;
  endMs: number;
  price: Ratio;
}

function monthDay(local: LocalTime): string {
  return `${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}

function inSeason(md: string, season: { from: string; to: string }): boolean {
  if (season.from === season.to) return true;
  return season.from < season.to ? md >= season.from && md < season.to : md >= season.from || md < season.to;
}

/** Whether a time-of-use band applies at a local time. */
export function bandMatches(band: TouBand, local: LocalTime): boolean {
  if (band.season && !inSeason(monthDay(local), band.season)) return false;
  if (band.days && band.days.length > 0 && !band.days.includes(DAYS[local.dayIndex])) return false;
  if ((band.startTime || band.endTime) && !inTimeWindow(local.minuteOfDay, band.startTime, band.endTime)) return false;
  return true;
}

function decimalText(r: Ratio, digits: number): string {
  // Exact when it terminates within `digits`+6 places, which covers every real rate.
  const scale = 10n ** BigInt(digits + 6);
  const v = (r.num * scale) / r.den;
  const s = v.toString().padStart(digits + 7, '0');
  return `${s.slice(0, -(digits + 6))}.${s.slice(-(digits + 6))}`.replace(/\.?0+$/, '');
}

/** Parse a dynamic feed into sorted entries with exact prices in major units per kWh. */
function dynamicEntries(feed: DynamicPrices, currency: string): DynamicEntry[] {
  const minorPerMajor = ratio(10n ** BigInt(minorDigits(currency)));
  return feed.entries
    .map((e) => ({ startMs: Date.parse(e.start), endMs: Date.parse(e.end), price: div(parseDecimal(e.priceMinorPerKWh), minorPerMajor) }))
    .filter((e) => !Number.isNaN(e.startMs) && e.endMs > e.startMs)
    .sort((a, b) => a.startMs - b.startMs);
}

/** Whether a dynamic feed is fresh enough to use at `nowMs`. */
export function feedIsFresh(rates: BuyRates, feed: DynamicPrices | undefined, nowMs: number): boolean {
  return !!rates.dynamic && !!feed && nowMs - feed.receivedAtMs <= rates.dynamic.staleAfterS * 1000;
}

/** Cost the usage with buy rates; `feed` holds dynamic prices, `nowMs` judges their staleness. */
export function priceCost(rates: BuyRates, usage: Usage, clock: LocalClock, feed: DynamicPrices | undefined, nowMs: number): CostResult {
  const digits = minorDigits(rates.currency);
  const fresh = feedIsFresh(rates, feed, nowMs);
  const dyn = fresh && feed ? dynamicEntries(feed, rates.currency) : [];
  const minutes = new Set<number>([0]);
  for (const b of rates.timeOfUse ?? []) {
    if (b.startTime) minutes.add(minutesOf(b.startTime));
    if (b.endTime) minutes.add(minutesOf(b.endTime));
  }
  const elapsedCuts = dyn.flatMap((e) => [e.startMs - usage.startMs, e.endMs - usage.startMs]).filter((d) => d > 0);
  const slices = sliceUsage(usage, clock, [...minutes], elapsedCuts, []);
  let fallback = !!rates.dynamic && !fresh;
  const groups = new Map<string, { rate: Rate; energyMWh: number }>();
  for (const ctx of slices) {
    if (ctx.slice.energyMWh <= 0) continue;
    let rate: Rate | null = null;
    const d = dyn.find((e) => ctx.slice.startMs >= e.startMs && ctx.slice.startMs < e.endMs);
    if (d) rate = { source: 'dynamic', price: d.price, priceText: decimalText(d.price, digits) };
    else if (rates.dynamic) fallback = true;
    if (!rate) {
      const band = (rates.timeOfUse ?? []).find((b) => bandMatches(b, ctx.local));
      if (band) rate = { source: 'tou', name: band.name, price: parseDecimal(band.pricePerKWh), priceText: String(band.pricePerKWh) };
    }
    if (!rate && rates.fixedPricePerKWh !== undefined) rate = { source: 'fixed', price: parseDecimal(rates.fixedPricePerKWh), priceText: String(rates.fixedPricePerKWh) };
    rate ??= { source: 'none', price: ratio(0n), priceText: '0' };
    const key = `${rate.source}|${rate.name ?? ''}|${rate.price.num}/${rate.price.den}`;
    const g = groups.get(key) ?? { rate, energyMWh: 0 };
    g.energyMWh += ctx.slice.energyMWh;
    groups.set(key, g);
  }
  const components: CostComponent[] = [...groups.values()].map(({ rate, energyMWh }) => {
    const minor = roundToMinor(mul(rate.price, ratio(BigInt(energyMWh), 1_000_000n)), rates.currency);
    return { source: rate.source, ...(rate.name ? { name: rate.name } : {}), pricePerKWh: rate.priceText, energyWh: thousandths(energyMWh), exclVat: formatMinor(minor, rates.currency), exclVatMinor: minorToNumber(minor) };
  });
  const total = components.reduce((s, c) => s + BigInt(c.exclVatMinor), 0n);
  return { components, total: { exclVat: formatMinor(total, rates.currency), exclVatMinor: minorToNumber(total) }, dynamicFallback: fallback };
}

// Revenue: price a session's usage with an OCPI 2.2.1 Tariff.
//
// Per slice and per dimension the first element whose restrictions all match (and that has
// a component of that dimension) applies. TIME is charging time, PARKING_TIME is time plugged
// in but not charging, ENERGY is energy delivered in that slice; FLAT is charged once, from
// the first slice where a FLAT element matches. Volumes are summed per component, step_size
// is applied (see step.ts), then each component is rounded half-up to the minor unit, excl.
// VAT and incl. VAT both from the exact amount. min_price/max_price bound the two totals
// separately.
import { add, mul, parseDecimal, ratio, type Ratio } from '../money/decimal';
import { formatMinor, minorToNumber, parseMoney, roundToMinor } from '../money/money';
import { TariffError } from './errors';
import type { LocalClock } from './localtime';
import type { Tariff, TariffDimension } from './model';
import { durationBoundaries, energyBoundaries, restrictionsMatch, timeBoundaries, type SliceContext } from './restrictions';
import type { Amounts, RevenueComponent, RevenueResult } from './result';
import { sliceUsage } from './slices';
import { applyStepSize, type VolumeBucket } from './step';
import type { Usage } from './usage';

const METERED: Array<'ENERGY' | 'TIME' | 'PARKING_TIME'> = ['ENERGY', 'TIME', 'PARKING_TIME'];

interface Bucket extends VolumeBucket {
  elementIndex: number;
  componentIndex: number;
}

/** Find the first element that prices `dim` and whose restrictions match; returns [element, component]. */
function findComponent(tariff: Tariff, dim: TariffDimension, ctx: SliceContext): [number, number] | null {
  for (let i = 0; i < tariff.elements.length; i++) {
    const el = tariff.elements[i];
    const j = el.price_components.findIndex((pc) => pc.type === dim);
    if (j >= 0 && restrictionsMatch(el.restrictions, ctx)) return [i, j];
  }
  return null;
}

function sliceVolume(ctx: SliceContext, dim: 'ENERGY' | 'TIME' | 'PARKING_TIME'): number {
  return dim === 'ENERGY' ? ctx.slice.energyMWh : dim === 'TIME' ? ctx.slice.chargingMs : ctx.slice.parkingMs;
}

/** Format an integer count of thousandths (mWh → Wh, ms → s) as a decimal string. */
export function thousandths(v: number): string {
  const s = (v / 1000).toFixed(3);
  return s.replace(/\.?0+$/, '') || '0';
}

function amounts(excl: bigint, incl: bigint, currency: string): Amounts {
  return { exclVat: formatMinor(excl, currency), inclVat: formatMinor(incl, currency), exclVatMinor: minorToNumber(excl), inclVatMinor: minorToNumber(incl) };
}

function component(tariff: Tariff, type: TariffDimension, i: number, j: number, measured: number, billed: number, step: number): RevenueComponent {
  const pc = tariff.elements[i].price_components[j];
  const price = parseDecimal(pc.price);
  // ENERGY is priced per kWh (volume in mWh), time per hour (volume in ms), FLAT per session.
  const per = type === 'ENERGY' ? 1_000_000n : type === 'FLAT' ? 1n : 3_600_000n;
  const exact: Ratio = mul(price, ratio(BigInt(billed), per));
  const vat = pc.vat === undefined ? null : parseDecimal(pc.vat);
  const withVat = vat ? mul(exact, add(ratio(1n), mul(vat, ratio(1n, 100n)))) : exact;
  const excl = roundToMinor(exact, tariff.currency);
  const incl = roundToMinor(withVat, tariff.currency);
  return {
    type,
    elementIndex: i,
    componentIndex: j,
    price: String(pc.price),
    vatPercent: pc.vat === undefined ? null : String(pc.vat),
    stepSize: step,
    unit: type === 'ENERGY' ? 'Wh' : type === 'FLAT' ? 'session' : 's',
    measured: type === 'FLAT' ? '1' : thousandths(measured),
    billed: type === 'FLAT' ? '1' : thousandths(billed),
    ...amounts(excl, incl, tariff.currency),
  };
}

function limit(total: bigint, min: number | undefined, max: number | undefined, currency: string): [bigint, 'min' | 'max' | null] {
  if (min !== undefined) {
    const m = parseMoney(min, currency);
    if (total < m) return [m, 'min'];
  }
  if (max !== undefined) {
    const m = parseMoney(max, currency);
    if (total > m) return [m, 'max'];
  }
  return [total, null];
}

/** Price usage with an OCPI tariff in the clock's time zone; the tariff must be validated. */
export function priceRevenue(tariff: Tariff, usage: Usage, clock: LocalClock): RevenueResult {
  if (tariff.start_date_time && usage.startMs < Date.parse(tariff.start_date_time)) throw new TariffError(`tariff ${tariff.id} is not valid before ${tariff.start_date_time}`);
  if (tariff.end_date_time && usage.startMs >= Date.parse(tariff.end_date_time)) throw new TariffError(`tariff ${tariff.id} is not valid after ${tariff.end_date_time}`);
  const slices = sliceUsage(usage, clock, timeBoundaries(tariff.elements), durationBoundaries(tariff.elements), energyBoundaries(tariff.elements));
  const buckets = new Map<string, Bucket>();
  let flat: [number, number] | null = null;
  const first: SliceContext[] = slices.length > 0 ? slices : [{ local: clock.local(usage.startMs), energyBeforeMWh: 0, elapsedMs: 0, slice: { startMs: usage.startMs, endMs: usage.endMs, energyMWh: 0, chargingMs: 0, parkingMs: 0 } }];
  for (const ctx of first) {
    flat = findComponent(tariff, 'FLAT', ctx);
    if (flat) break;
  }
  slices.forEach((ctx, order) => {
    for (const dim of METERED) {
      const v = sliceVolume(ctx, dim);
      if (v <= 0) continue;
      const hit = findComponent(tariff, dim, ctx);
      if (!hit) continue;
      const key = `${hit[0]}:${hit[1]}`;
      let b = buckets.get(key);
      if (!b) {
        b = { type: dim, measured: 0, billed: 0, stepSize: tariff.elements[hit[0]].price_components[hit[1]].step_size, lastSeen: order, elementIndex: hit[0], componentIndex: hit[1] };
        buckets.set(key, b);
      }
      b.measured += v;
      b.lastSeen = order;
    }
  });
  const list = [...buckets.values()];
  applyStepSize(list);
  const components: RevenueComponent[] = [];
  if (flat) components.push(component(tariff, 'FLAT', flat[0], flat[1], 1, 1, 0));
  for (const b of list) components.push(component(tariff, b.type, b.elementIndex, b.componentIndex, b.measured, b.billed, b.stepSize));
  const excl = components.reduce((s, c) => s + BigInt(c.exclVatMinor), 0n);
  const incl = components.reduce((s, c) => s + BigInt(c.inclVatMinor), 0n);
  const [exclT, exclLimit] = limit(excl, tariff.min_price?.excl_vat, tariff.max_price?.excl_vat, tariff.currency);
  const [inclT, inclLimit] = limit(incl, tariff.min_price?.incl_vat, tariff.max_price?.incl_vat, tariff.currency);
  return { components, subtotal: amounts(excl, incl, tariff.currency), total: amounts(exclT, inclT, tariff.currency), limit: { exclVat: exclLimit, inclVat: inclLimit } };
}

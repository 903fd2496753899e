// Revenue: price a session's usage with an OCPI 2.2.1 Tariff.
//
// Per slice and per dimension the first element whose restrictions all match (and that has
// a component of that dimension) applies. TIME is charging time, PARKING_TIME is time plugged
// in but not charging (and not held by the station), ENERGY is energy delivered in that slice;
// FLAT is charged once, from the first slice where a FLAT element matches. Volumes are summed
// per component and step_size is applied (see step.ts).
//
// Reservations (OCPI `reservation` restriction) are priced apart, before the session: only
// elements restricted to RESERVATION apply to reservation time (TIME, rounded by its own
// step_size) and their FLAT is the reservation fee. An expired reservation (not followed by a
// charging session) adds the FLAT of a RESERVATION_EXPIRES element (expiry fee), and its time is
// priced by a RESERVATION_EXPIRES element's TIME when there is one, else by RESERVATION's (spec
// note under ReservationRestrictionType; tariff examples 15-18). Charging elements never see
// reservation time; without a charging session their FLAT (start fee) is not charged.
//
// Rounding (the rule every worked total of the spec implies, see money.ts): each component is
// shown rounded half-up to the minor unit, but the totals excl. and incl. VAT are the exact sums
// of the components, rounded half-up once. The complex example (2.875 + 3.30 + 4.125 incl. VAT)
// totals 10.30 this way, as the spec publishes; summing rounded components gives 10.31.
// min_price/max_price then bound the two totals separately.
import { add, mul, parseDecimal, ratio, type Ratio } from '../money/decimal';
import { formatMinor, minorToNumber, parseMoney, roundToMinor } from '../money/money';
import { TariffError } from './errors';
import type { LocalClock } from './localtime';
import type { Tariff, TariffDimension } from './model';
import { durationBoundaries, energyBoundaries, restrictionsMatch, timeBoundaries, type SliceContext } from './restrictions';
import type { Amounts, RevenueComponent, RevenueResult } from './result';
import { sliceUsage } from './slices';
import { applyStepSize, type VolumeBucket } from './step';
import type { ReservationUsage, Usage } from './usage';

const METERED: Array<'ENERGY' | 'TIME' | 'PARKING_TIME'> = ['ENERGY', 'TIME', 'PARKING_TIME'];

type ReservationKind = 'RESERVATION' | 'RESERVATION_EXPIRES';

interface Bucket extends VolumeBucket {
  elementIndex: number;
  componentIndex: number;
}

/** A component with its exact amounts, from which the totals are rounded once. */
interface Priced {
  component: RevenueComponent;
  exclExact: Ratio;
  inclExact: Ratio;
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

function component(tariff: Tariff, type: TariffDimension, i: number, j: number, measured: number, billed: number, step: number, reservation: boolean): Priced {
  const pc = tariff.elements[i].price_components[j];
  const price = parseDecimal(pc.price);
  // ENERGY is priced per kWh (volume in mWh), time per hour (volume in ms), FLAT per session.
  const per = type === 'ENERGY' ? 1_000_000n : type === 'FLAT' ? 1n : 3_600_000n;
  const exact: Ratio = mul(price, ratio(BigInt(billed), per));
  const vat = pc.vat === undefined ? null : parseDecimal(pc.vat);
  const withVat = vat ? mul(exact, add(ratio(1n), mul(vat, ratio(1n, 100n)))) : exact;
  const excl = roundToMinor(exact, tariff.currency);
  const incl = roundToMinor(withVat, tariff.currency);
  const c: RevenueComponent = {
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
  if (reservation) c.reservation = true;
  return { component: c, exclExact: exact, inclExact: withVat };
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

/** Sum buckets of slices into priced components (step_size applied once over the list). */
function bucketsToComponents(tariff: Tariff, slices: SliceContext[], find: (dim: 'ENERGY' | 'TIME' | 'PARKING_TIME', ctx: SliceContext) => [number, number] | null, reservation: boolean): Priced[] {
  const buckets = new Map<string, Bucket>();
  slices.forEach((ctx, order) => {
    for (const dim of METERED) {
      const v = sliceVolume(ctx, dim);
      if (v <= 0) continue;
      const hit = find(dim, ctx);
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
  return list.map((b) => component(tariff, b.type, b.elementIndex, b.componentIndex, b.measured, b.billed, b.stepSize, reservation));
}

/** The first slice context of a stretch, or an empty one at `atMs` when it has no slices. */
function firstContexts(slices: SliceContext[], clock: LocalClock, atMs: number, endMs: number): SliceContext[] {
  return slices.length > 0 ? slices : [{ local: clock.local(atMs), energyBeforeMWh: 0, elapsedMs: 0, slice: { startMs: atMs, endMs, energyMWh: 0, chargingMs: 0, parkingMs: 0 } }];
}

function flatOf(tariff: Tariff, contexts: SliceContext[], reservation?: ReservationKind): [number, number] | null {
  for (const ctx of contexts) {
    const hit = findComponent(tariff, 'FLAT', { ...ctx, reservation });
    if (hit) return hit;
  }
  return null;
}

/** Price the reservation before a session: fee, expiry fee and reservation time (see header). */
function priceReservation(tariff: Tariff, res: ReservationUsage, clock: LocalClock): Priced[] {
  if (res.endMs < res.startMs) throw new TariffError('reservation ends before it starts');
  const len = res.endMs - res.startMs;
  // Reservation time is carried as "charging" time of one interval so the slicer can cut it at time boundaries.
  const usage: Usage = { startMs: res.startMs, endMs: res.endMs, intervals: len > 0 ? [{ startMs: res.startMs, endMs: res.endMs, energyMWh: 0, chargingMs: len, parkingMs: 0 }] : [] };
  const slices = sliceUsage(usage, clock, timeBoundaries(tariff.elements), durationBoundaries(tariff.elements), []);
  const out: Priced[] = [];
  const kinds: ReservationKind[] = res.expired ? ['RESERVATION', 'RESERVATION_EXPIRES'] : ['RESERVATION'];
  for (const kind of kinds) {
    const flat = flatOf(tariff, firstContexts(slices, clock, res.startMs, res.endMs), kind);
    if (flat) out.push(component(tariff, 'FLAT', flat[0], flat[1], 1, 1, 0, true));
  }
  const find = (dim: 'ENERGY' | 'TIME' | 'PARKING_TIME', ctx: SliceContext): [number, number] | null => {
    if (dim !== 'TIME') return null;
    return (res.expired ? findComponent(tariff, 'TIME', { ...ctx, reservation: 'RESERVATION_EXPIRES' }) : null) ?? findComponent(tariff, 'TIME', { ...ctx, reservation: 'RESERVATION' });
  };
  out.push(...bucketsToComponents(tariff, slices, find, true));
  return out;
}

/** Price the charging session itself (no reservation elements). */
function priceCharging(tariff: Tariff, usage: Usage, clock: LocalClock): Priced[] {
  const slices = sliceUsage(usage, clock, timeBoundaries(tariff.elements), durationBoundaries(tariff.elements), energyBoundaries(tariff.elements));
  const out: Priced[] = [];
  const flat = flatOf(tariff, firstContexts(slices, clock, usage.startMs, usage.endMs));
  if (flat) out.push(component(tariff, 'FLAT', flat[0], flat[1], 1, 1, 0, false));
  out.push(...bucketsToComponents(tariff, slices, (dim, ctx) => findComponent(tariff, dim, ctx), false));
  return out;
}

function sumExact(list: Priced[], which: 'exclExact' | 'inclExact'): Ratio {
  return list.reduce((a, p) => add(a, p[which]), ratio(0n));
}

/** Price usage with an OCPI tariff in the clock's time zone; the tariff must be validated. */
export function priceRevenue(tariff: Tariff, usage: Usage, clock: LocalClock): RevenueResult {
  const res = usage.reservation;
  const startMs = res ? res.startMs : usage.startMs;
  if (tariff.start_date_time && startMs < Date.parse(tariff.start_date_time)) throw new TariffError(`tariff ${tariff.id} is not valid before ${tariff.start_date_time}`);
  if (tariff.end_date_time && startMs >= Date.parse(tariff.end_date_time)) throw new TariffError(`tariff ${tariff.id} is not valid after ${tariff.end_date_time}`);
  const reserved = res ? priceReservation(tariff, res, clock) : [];
  // An expired reservation with nothing after it is not a charging session: no start fee.
  const charged = res && usage.intervals.length === 0 && usage.endMs <= usage.startMs ? false : true;
  const priced = [...reserved, ...(charged ? priceCharging(tariff, usage, clock) : [])];
  const cur = tariff.currency;
  const excl = roundToMinor(sumExact(priced, 'exclExact'), cur);
  const incl = roundToMinor(sumExact(priced, 'inclExact'), cur);
  const [exclT, exclLimit] = limit(excl, tariff.min_price?.excl_vat, tariff.max_price?.excl_vat, cur);
  const [inclT, inclLimit] = limit(incl, tariff.min_price?.incl_vat, tariff.max_price?.incl_vat, cur);
  const result: RevenueResult = { components: priced.map((p) => p.component), subtotal: amounts(excl, incl, cur), total: amounts(exclT, inclT, cur), limit: { exclVat: exclLimit, inclVat: inclLimit } };
  if (res) result.reservation = amounts(roundToMinor(sumExact(reserved, 'exclExact'), cur), roundToMinor(sumExact(reserved, 'inclExact'), cur), cur);
  return result;
}

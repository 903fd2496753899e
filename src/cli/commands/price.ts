import fs from 'node:fs';
import { checkTimeZone, isOcpiSession, parseBuyRates, parseTariff, priceUsage, usageFromOcpi, usageFromSession, type PricingResult } from '../../core/tariff';
import type { Session } from '../../core/types';
import { cdrTotalOf, compareWithCdr, moneyText, type CdrComparison } from '../format/cdr-total';
import { hoursText, kWhText } from '../format/quantity';
import { checkStoredPricing } from '../format/stored-pricing';
import { parseOptions, UsageError, type Command } from '../usage';

const usage = `Usage: chargeledger price --tariff TARIFF.json --session SESSION.json [--json]
                          [--buy BUY.json] [--timezone ZONE]

Prices one session with an OCPI 2.2.1 tariff, exactly as the price node does.

  --tariff FILE     an OCPI 2.2.1 Tariff object
  --session FILE    a ChargeLedger record (or bare Session) as stored, or an OCPI 2.2.1
                    CDR/Session object with start_date_time, end_date_time and
                    charging_periods (ENERGY kWh, TIME/PARKING_TIME hours, MAX/MIN_POWER kW,
                    MAX/MIN_CURRENT A; a period lasts until the next one starts). An optional
                    top-level "timezone" (IANA name) says in which local time restriction
                    times are read; default UTC (a stored record's pricing zone if it has one)
  --buy FILE        operator buy rates ({currency, fixedPricePerKWh, timeOfUse, ...}): adds cost and margin
  --timezone ZONE   override the time zone
  --json            print JSON: {"currency","total_cost":{"excl_vat","incl_vat"},"total_energy" (kWh),
                    "total_time" (h),"total_parking_time" (h),"heldS" (s the station withheld
                    power, not billed as parking),"components":[...]} with money as decimal
                    strings; when they apply also "appliedLimit" (min_price/max_price),
                    "total_reservation_time" (h), "total_reservation_cost", "cdr_total_cost" and
                    "difference" (repriced minus the CDR's own total)

The table shows each component's billed quantity in the unit of its price: kWh for ENERGY, hours
for TIME, PARKING_TIME and reservation time, 1 for FLAT, as exact decimals ("≈" and 6 decimals
where hours have no finite decimal form, e.g. 300 s ≈ 0.083333 h).
A CDR that carries its own total_cost is compared: both totals and the difference (repriced
minus the CDR's) are printed; a difference is reported, not an error (exit 0).
A stored ChargeLedger record repriced with its own tariff must give its stored totals (else exit
1), except a record priced before the exact-sum rounding rule (its pricing has no roundingRule):
when its totals are the sum of the rounded components, the 0.01 difference is a note (exit 0).

Rounding: components are shown half-up to the currency's minor unit; the totals excl. and
incl. VAT are their exact sum rounded half-up once (the spec's published totals).
step_size: energy rounded once per session; time rounded once, on the last time dimension
billed (parking on its own total when the session ends parking). Reservation time
(RESERVATION_TIME periods of a CDR) is priced with the RESERVATION elements, on its own.
Exit codes: 0 priced, 1 invalid input (or a stored pricing that differs), 2 usage error.
`;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

const hours = (seconds: number): number => Math.round((seconds / 3600) * 1e6) / 1e6;

/** The OCPI-style summary printed by --json. */
function summary(r: PricingResult, cdr: CdrComparison | null): Record<string, unknown> {
  const out: Record<string, unknown> = {
    currency: r.currency,
    tariff_id: r.tariffId,
    tariff_hash: r.tariffHash,
    timezone: r.timezone,
    total_cost: { excl_vat: r.revenue.total.exclVat, incl_vat: r.revenue.total.inclVat },
    total_energy: Number(r.totalEnergyWh) / 1000,
    total_time: hours(r.totalTimeS),
    total_parking_time: hours(Number(r.totalParkingS)),
    heldS: Number(r.heldS ?? 0),
    components: r.revenue.components.map((c) => ({
      type: c.type,
      element: c.elementIndex,
      price: c.price,
      vat: c.vatPercent,
      step_size: c.stepSize,
      volume: c.unit === 'Wh' ? Number(c.measured) / 1000 : c.unit === 's' ? hours(Number(c.measured)) : 1,
      billed_volume: c.unit === 'Wh' ? Number(c.billed) / 1000 : c.unit === 's' ? hours(Number(c.billed)) : 1,
      excl_vat: c.exclVat,
      incl_vat: c.inclVat,
      ...(c.reservation ? { reservation: true } : {}),
    })),
  };
  if (r.revenue.limit.exclVat || r.revenue.limit.inclVat) out.price_limit = r.revenue.limit;
  if (r.appliedLimit) out.appliedLimit = r.appliedLimit;
  if (r.totalReservationS !== undefined) out.total_reservation_time = hours(Number(r.totalReservationS));
  if (r.revenue.reservation) out.total_reservation_cost = { excl_vat: r.revenue.reservation.exclVat, incl_vat: r.revenue.reservation.inclVat };
  if (cdr) {
    const money = (v: string | undefined): string | null => (v === undefined ? null : moneyText(v, r.currency));
    out.cdr_total_cost = { excl_vat: money(cdr.cdr.exclVat), incl_vat: money(cdr.cdr.inclVat), ...(cdr.cdr.currency ? { currency: cdr.cdr.currency } : {}) };
    out.difference = { excl_vat: cdr.differenceExclVat, incl_vat: cdr.differenceInclVat };
  }
  if (r.cost) {
    out.total_buy_cost = { excl_vat: r.cost.total.exclVat };
    out.margin = r.margin;
  }
  return out;
}

/** A component's billed quantity in the unit of its price: kWh, h, or 1 for FLAT. */
function quantity(c: PricingResult['revenue']['components'][number]): string {
  if (c.unit === 'Wh') return `${kWhText(c.billed)} kWh`;
  if (c.unit === 's') return `${hoursText(c.billed)} h`;
  return '1';
}

/** The price per unit as the tariff gives it: "0.25 EUR/kWh", "2 EUR/h", "0.5 EUR" (FLAT). */
const perUnit = (c: PricingResult['revenue']['components'][number], currency: string): string =>
  `${c.price} ${currency}${c.unit === 'Wh' ? '/kWh' : c.unit === 's' ? '/h' : ''}`;

// Every line's label is this wide, so that the excl. and incl. columns line up under each other.
const LABEL = 17 + 14 + 3 + 14;

function table(r: PricingResult, cdr: CdrComparison | null): string {
  const lines = [`tariff ${r.tariffId} (${r.tariffHash.slice(0, 12)}), time zone ${r.timezone}`];
  if (r.unattributed) lines.push('  unattributed energy: not billed to a driver (revenue 0)');
  for (const c of r.revenue.components) {
    const type = c.reservation ? `RES ${c.type}` : c.type;
    const what = `${type.padEnd(13)} #${c.elementIndex}`.padEnd(17) + `${quantity(c).padStart(14)} × ${perUnit(c, r.currency).padEnd(14)}`;
    lines.push(`  ${what}  ${c.exclVat.padStart(10)} excl  ${c.inclVat.padStart(10)} incl`);
  }
  const rev = r.revenue;
  const shown = (k: 'exclVatMinor' | 'inclVatMinor'): number => rev.components.reduce((a, c) => a + c[k], 0);
  if (shown('exclVatMinor') !== rev.subtotal.exclVatMinor || shown('inclVatMinor') !== rev.subtotal.inclVatMinor) {
    lines.push(`  ${'subtotal (exact sum, rounded once)'.padEnd(LABEL)}  ${rev.subtotal.exclVat.padStart(10)} excl  ${rev.subtotal.inclVat.padStart(10)} incl`);
  }
  if (r.appliedLimit) {
    lines.push(`  ${`${r.appliedLimit} applied (was ${rev.subtotal.exclVat} / ${rev.subtotal.inclVat})`.padEnd(LABEL)}`.trimEnd());
  }
  lines.push(`  ${'TOTAL'.padEnd(LABEL)}  ${rev.total.exclVat.padStart(10)} excl  ${rev.total.inclVat.padStart(10)} incl ${r.currency}`);
  if (cdr) {
    const cell = (v: string | null | undefined): string => (v ?? '-').padStart(10);
    const money = (v: string | undefined): string | undefined => (v === undefined ? v : moneyText(v, r.currency));
    lines.push(`  ${'CDR total_cost (its own)'.padEnd(LABEL)}  ${cell(money(cdr.cdr.exclVat))} excl  ${cell(money(cdr.cdr.inclVat))} incl ${cdr.cdr.currency ?? r.currency}`);
    if (cdr.note) lines.push(`  ${cdr.note}`);
    else lines.push(`  ${(cdr.same ? 'difference (repriced − CDR): none' : 'difference (repriced − CDR)').padEnd(LABEL)}  ${cell(cdr.differenceExclVat)} excl  ${cell(cdr.differenceInclVat)} incl ${r.currency}`);
  }
  if (Number(r.heldS ?? 0) > 0) lines.push(`  held by the station ${r.heldS} s (admission, ramp, 0 A): not billed as parking`);
  if (r.cost) lines.push(`  cost ${r.cost.total.exclVat} ${r.currency}, margin ${r.margin} ${r.currency}`);
  return `${lines.join('\n')}\n`;
}

const command: Command = {
  summary: 'price a session with an OCPI 2.2.1 tariff',
  usage,
  async run(argv, io) {
    const { values } = parseOptions(argv, { tariff: { type: 'string' }, session: { type: 'string' }, buy: { type: 'string' }, timezone: { type: 'string' }, json: { type: 'boolean' } });
    if (!values.tariff || !values.session) throw new UsageError('--tariff and --session are required');
    const tariff = parseTariff(readJson(values.tariff, 'tariff'));
    const input = readJson(values.session, 'session') as Record<string, unknown>;
    const buy = values.buy ? parseBuyRates(readJson(values.buy, 'buy rates')) : undefined;
    const stored = (input?.session ? input.pricing : undefined) as PricingResult | undefined;
    const tz = checkTimeZone(values.timezone ?? (input?.timezone as string | undefined) ?? stored?.timezone ?? 'UTC');
    const usageOf = isOcpiSession(input) ? usageFromOcpi(input) : usageFromSession((input?.session ?? input) as Session);
    const result = priceUsage(usageOf, { sell: tariff, buy, timezone: tz });
    if (buy && result.currency !== buy.currency) throw new Error(`buy rates currency ${buy.currency} differs from the tariff's ${result.currency}`);
    let code = 0;
    if (stored?.tariffHash === result.tariffHash && stored.revenue?.total) {
      // Repricing a stored session with its stored tariff must reproduce the stored figures.
      const check = checkStoredPricing(stored, result);
      if (check.kind !== 'same') io.stderr(`${check.message}\n`);
      if (check.kind === 'differs') code = 1;
    }
    const cdrTotal = isOcpiSession(input) ? cdrTotalOf(input) : null;
    const cdr = cdrTotal ? compareWithCdr(result, cdrTotal) : null;
    io.stdout(values.json ? `${JSON.stringify(summary(result, cdr))}\n` : table(result, cdr));
    return code;
  },
};

export default command;

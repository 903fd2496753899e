// The total a CDR carries itself (OCPI 2.2.1 `total_cost` {excl_vat, incl_vat}; OCPI 2.1.1 a bare
// number, excl. VAT) set against a repricing: both totals and the exact difference.
import { minorDigits } from '../../core/money/currency';
import { parseDecimal, sub } from '../../core/money/decimal';
import type { PricingResult } from '../../core/tariff/result';
import { decimalText } from './quantity';

/** A CDR's own total, as decimal text exactly as it gave it. */
export interface CdrTotal {
  currency?: string;
  exclVat?: string;
  inclVat?: string;
}

/** The CDR's own total_cost, or null when it has none; throws on a total_cost that is not a price. */
export function cdrTotalOf(input: Record<string, unknown>): CdrTotal | null {
  const t = input.total_cost;
  if (t === undefined || t === null) return null;
  const text = (v: unknown, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if ((typeof v !== 'number' && typeof v !== 'string') || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(String(v).trim())) throw new Error(`the CDR's ${what} is not a number: ${JSON.stringify(v)}`);
    return String(v).trim();
  };
  const currency = typeof input.currency === 'string' ? input.currency : undefined;
  if (typeof t === 'number' || typeof t === 'string') return { currency, exclVat: text(t, 'total_cost') };
  if (typeof t !== 'object') throw new Error('the CDR\'s total_cost must be a price {excl_vat, incl_vat}');
  const o = t as Record<string, unknown>;
  return { currency, exclVat: text(o.excl_vat, 'total_cost.excl_vat'), inclVat: text(o.incl_vat, 'total_cost.incl_vat') };
}

/** A decimal amount with at least the currency's minor digits, exactly: "9" EUR → "9.00", "4.004" → "4.004". */
export function moneyText(value: string, currency: string): string {
  return decimalText(parseDecimal(value), minorDigits(currency));
}

/** The comparison of a repricing with a CDR's total: differences are repriced − CDR, exact. */
export interface CdrComparison {
  cdr: CdrTotal;
  /** Null where it cannot be computed (the CDR lacks that total, or its currency differs). */
  differenceExclVat: string | null;
  differenceInclVat: string | null;
  /** Why no difference was computed at all, if so. */
  note?: string;
  same: boolean;
}

/** Compare a repricing with the CDR's own total. */
export function compareWithCdr(r: PricingResult, cdr: CdrTotal): CdrComparison {
  if (cdr.currency !== undefined && cdr.currency !== r.currency) {
    return { cdr, differenceExclVat: null, differenceInclVat: null, note: `the CDR is in ${cdr.currency}, the tariff in ${r.currency}: no difference computed`, same: false };
  }
  const digits = minorDigits(r.currency);
  const diff = (repriced: string, theirs: string | undefined): string | null => (theirs === undefined ? null : decimalText(sub(parseDecimal(repriced), parseDecimal(theirs)), digits));
  const differenceExclVat = diff(r.revenue.total.exclVat, cdr.exclVat);
  const differenceInclVat = diff(r.revenue.total.inclVat, cdr.inclVat);
  const zero = (d: string | null): boolean => d === null || /^-?0(\.0+)?$/.test(d);
  return { cdr, differenceExclVat, differenceInclVat, same: zero(differenceExclVat) && zero(differenceInclVat) };
}

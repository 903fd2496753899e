// A stored record's pricing set against a repricing with the same tariff. Records priced before
// the exact-sum rounding rule (no `roundingRule: 'exact-sum'`) summed the rounded components, so
// their totals may be 0.01 off a repricing: that is explained, not an error.
import { formatMinor } from '../../core/money/money';
import type { PricingResult } from '../../core/tariff/result';

/** Outcome: the same totals, an older rounding rule explains the difference, or they differ. */
export type StoredCheck = { kind: 'same' } | { kind: 'old-rounding'; message: string } | { kind: 'differs'; message: string };

/** Compare the stored totals with the repriced ones. */
export function checkStoredPricing(stored: PricingResult, repriced: PricingResult): StoredCheck {
  const s = stored.revenue.total;
  const r = repriced.revenue.total;
  if (s.exclVatMinor === r.exclVatMinor && s.inclVatMinor === r.inclVatMinor) return { kind: 'same' };
  const cur = repriced.currency;
  const fmt = (minor: number): string => formatMinor(minor, cur);
  const detail = `stored ${fmt(s.exclVatMinor)} excl / ${fmt(s.inclVatMinor)} incl, repriced ${r.exclVat} / ${r.inclVat} ${cur}`;
  if (stored.roundingRule !== 'exact-sum') {
    // The old rule: the sum of the components, each rounded on its own (no limit applied then).
    const oldRule = (k: 'exclVatMinor' | 'inclVatMinor'): number => repriced.revenue.components.reduce((a, c) => a + c[k], 0);
    if (!repriced.appliedLimit && s.exclVatMinor === oldRule('exclVatMinor') && s.inclVatMinor === oldRule('inclVatMinor')) {
      return { kind: 'old-rounding', message: `note: stored pricing predates the exact-sum rounding rule (it summed the rounded components): ${detail}` };
    }
  }
  return { kind: 'differs', message: `stored pricing differs: ${detail}` };
}

// ISO 4217 minor units: how many decimals a currency's smallest unit has.

/** Currencies whose minor unit is not 2 decimals (ISO 4217 list, current codes). */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Decimals of the currency's minor unit (EUR → 2, JPY → 0, KWD → 3); throws on a malformed code. */
export function minorDigits(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`not an ISO 4217 currency code: "${currency}"`);
  return MINOR_DIGITS[currency] ?? 2;
}

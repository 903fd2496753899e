/** A tariff, rate or session that cannot be priced; the message names the offending field. */
export class TariffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TariffError';
  }
}

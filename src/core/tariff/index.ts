// OCPI 2.2.1 tariff engine: sell tariffs, buy rates, pricing results.
export * from './model';
export * from './errors';
export * from './validate';
export * from './localtime';
export * from './usage';
export * from './result';
export * from './hash';
export * from './ocpi-input';
export { priceRevenue } from './sell';
export { priceCost, feedIsFresh, bandMatches } from './buy';
export * from './pricing';
export * from './dynamic';

// Exact decimal money: rationals, currency minor units, half-up rounding, formatting.
export * from './decimal';
export * from './currency';
export * from './money';

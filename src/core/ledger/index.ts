// The signed, hash-chained session ledger: record envelope, hashing, verification and chain checks.
export * from './canonical';
export * from './chain';
export * from './problems';
export * from './record';
export * from './verify';

// Revenue tracking: rollups per connector, charger and site by day, week and month.
export * from './model';
export * from './buckets';
export * from './contrib';
export * from './rows';
export * from './flags';
export * from './state';

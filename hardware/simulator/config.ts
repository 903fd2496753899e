// Simulator settings: options override environment variables, which override the defaults.

/** Settings of the simulated charger site. */
export interface SimConfig {
  /** Number of connectors, each with its own meter ("CP1-1", "CP1-2", …). */
  connectors: number;
  /** Seconds between telegrams of each meter. */
  intervalMs: number;
  /** Energy each EV wants, Wh: with the defaults a session finishes within 60 s. */
  sessionWh: number;
  /** What the EVSE offers when no load limiter has sent a setpoint, A per phase. */
  defaultOfferA: number;
  /** EVSE rating, A per phase. */
  maxCurrentA: number;
  /** Phases of the arriving EVs: every EV 3-phase, every EV 1-phase, or alternating. */
  phases: '1' | '3' | 'mixed';
  /** Delay between a new setpoint and the EV following it, ms. */
  rampDelayMs: number;
  /** Idle time between an EV leaving and the next arriving, ms. */
  arrivalGapMs: number;
  /** Base building load per phase, A (varies around it). */
  buildingLoadA: number;
  /** Station and charger ids used in the telegrams and events. */
  stationId: string;
  chargerId: string;
  /** Seed of the pseudo-random generator, for repeatable runs. */
  seed: number;
  /** EV visits per connector, then the connector stays empty (0 = no end), for bounded test runs. */
  visits: number;
}

/** Defaults: two connectors, one telegram a second, 80 Wh sessions (26 s at 11 kW, 39 s at 7.4 kW). */
export const DEFAULT_SIM_CONFIG: SimConfig = {
  connectors: 2,
  intervalMs: 1000,
  sessionWh: 80,
  defaultOfferA: 16,
  maxCurrentA: 32,
  phases: 'mixed',
  rampDelayMs: 2000,
  arrivalGapMs: 5000,
  buildingLoadA: 8,
  stationId: 'station-1',
  chargerId: 'CP1',
  seed: 1,
  visits: 0,
};

const ENV_KEYS: Record<keyof SimConfig, string> = {
  connectors: 'CHARGELEDGER_SIM_CONNECTORS',
  intervalMs: 'CHARGELEDGER_SIM_INTERVAL_MS',
  sessionWh: 'CHARGELEDGER_SIM_SESSION_WH',
  defaultOfferA: 'CHARGELEDGER_SIM_DEFAULT_OFFER_A',
  maxCurrentA: 'CHARGELEDGER_SIM_MAX_CURRENT_A',
  phases: 'CHARGELEDGER_SIM_PHASES',
  rampDelayMs: 'CHARGELEDGER_SIM_RAMP_DELAY_MS',
  arrivalGapMs: 'CHARGELEDGER_SIM_ARRIVAL_GAP_MS',
  buildingLoadA: 'CHARGELEDGER_SIM_BUILDING_LOAD_A',
  stationId: 'CHARGELEDGER_STATION_ID',
  chargerId: 'CHARGELEDGER_SIM_CHARGER_ID',
  seed: 'CHARGELEDGER_SIM_SEED',
  visits: 'CHARGELEDGER_SIM_VISITS',
};

/** The environment variable that sets each option, for help texts. */
export const SIM_ENV_KEYS: Readonly<Record<keyof SimConfig, string>> = ENV_KEYS;

/** Build a config from overrides (already parsed) and the environment; throws on a bad value. */
export function resolveSimConfig(overrides: Partial<Record<keyof SimConfig, string>>, env: Record<string, string | undefined>): SimConfig {
  const out: SimConfig = { ...DEFAULT_SIM_CONFIG };
  for (const key of Object.keys(DEFAULT_SIM_CONFIG) as Array<keyof SimConfig>) {
    const text = overrides[key] ?? env[ENV_KEYS[key]];
    if (text === undefined || text === '') continue;
    const def = DEFAULT_SIM_CONFIG[key];
    if (key === 'phases') {
      if (text !== '1' && text !== '3' && text !== 'mixed') throw new Error(`phases must be 1, 3 or mixed, got "${text}"`);
      out.phases = text;
    } else if (typeof def === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, got "${text}"`);
      (out as unknown as Record<string, number>)[key] = n;
    } else {
      (out as unknown as Record<string, string>)[key] = text;
    }
  }
  if (!Number.isInteger(out.connectors) || out.connectors < 1 || out.connectors > 64) throw new Error(`connectors must be 1..64, got ${out.connectors}`);
  if (!Number.isInteger(out.visits)) throw new Error(`visits must be a whole number, got ${out.visits}`);
  if (out.intervalMs < 100) throw new Error(`intervalMs must be at least 100, got ${out.intervalMs}`);
  return out;
}

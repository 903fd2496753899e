// Configuration of the per-connector session machine, with the defaults documented in one place.

/** One connector of a charger: which meter measures it and its rated power. */
export interface ConnectorConfig {
  connectorId: string;
  /** Meter id (the reading's msg.topic / MeterReading.meterId). */
  meterId: string;
  /** Rated power of the connector, W: the bound for the plausibility checks. */
  ratedPowerW: number;
}

/** What to do with a session that was open when the controller lost power. */
export type RecoveryPolicy = 'close' | 'resume';

/** Tuning of the session machine; every field has a default (see DEFAULT_SESSION_CONFIG). */
export interface SessionConfig {
  stationId: string;
  chargerId: string;
  /** Period length for the meter value series, minutes; periods align to wall-clock multiples (15 → :00, :15, :30, :45). */
  periodMin: number;
  /** Power above this counts as charging time, W; at or below it, plugged time is idle (parking) time. */
  chargingThresholdW: number;
  /** Energy registers wrap at this value, Wh (e.g. 1e9 for a 6-digit kWh register with 3 decimals); 0 = never wraps. */
  rolloverModulusWh: number;
  /** Plausibility: energy may exceed duration × rated power by this share, percent … */
  plausibilityTolerancePct: number;
  /** … plus this many Wh (covers the register resolution and short bursts). */
  plausibilityToleranceWh: number;
  /** A wall-clock step that differs from the monotonic step by more than this is a clock jump, ms. */
  clockJumpToleranceMs: number;
  /** After a stop, wait at most this long for a reading taken after the stop, ms; then close with the last one. */
  closeTimeoutMs: number;
  /** On restart after a power loss: resume the open session if the charger reports the connector occupied ('resume', default), or close it at once ('close'). */
  recoveryPolicy: RecoveryPolicy;
  /** With recoveryPolicy 'resume': how long to wait for the charger to report its state, ms. */
  recoveryWaitMs: number;
}

/** Defaults: 15-minute wall-clock-aligned periods, 100 W charging threshold, 5 % + 50 Wh plausibility tolerance. */
export const DEFAULT_SESSION_CONFIG: Omit<SessionConfig, 'stationId' | 'chargerId'> = {
  periodMin: 15,
  chargingThresholdW: 100,
  rolloverModulusWh: 0,
  plausibilityTolerancePct: 5,
  plausibilityToleranceWh: 50,
  clockJumpToleranceMs: 5000,
  closeTimeoutMs: 10000,
  recoveryPolicy: 'resume',
  recoveryWaitMs: 30000,
};

/** Fill in defaults and reject values that make no sense (throws with a message naming the field). */
export function resolveSessionConfig(cfg: Partial<SessionConfig> & { stationId: string; chargerId: string }): SessionConfig {
  const out: SessionConfig = { ...DEFAULT_SESSION_CONFIG, ...stripUndefined(cfg) } as SessionConfig;
  if (!out.stationId) throw new Error('stationId is required');
  if (!out.chargerId) throw new Error('chargerId is required');
  if (!Number.isInteger(out.periodMin) || out.periodMin < 1 || 1440 % out.periodMin !== 0) {
    throw new Error(`periodMin must be a whole number of minutes dividing a day (got ${out.periodMin})`);
  }
  for (const k of ['chargingThresholdW', 'rolloverModulusWh', 'plausibilityTolerancePct', 'plausibilityToleranceWh', 'clockJumpToleranceMs', 'closeTimeoutMs', 'recoveryWaitMs'] as const) {
    if (!Number.isFinite(out[k]) || out[k] < 0) throw new Error(`${k} must be a number ≥ 0 (got ${out[k]})`);
  }
  if (out.recoveryPolicy !== 'close' && out.recoveryPolicy !== 'resume') throw new Error(`recoveryPolicy must be 'close' or 'resume' (got ${String(out.recoveryPolicy)})`);
  return out;
}

/** Validate a connector list: unique connector ids and meter ids, positive integer rated power. */
export function validateConnectors(list: unknown): ConnectorConfig[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error('connectors must be a non-empty list');
  const ids = new Set<string>();
  const meters = new Set<string>();
  return list.map((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const connectorId = String(o.connectorId ?? '').trim();
    const meterId = String(o.meterId ?? '').trim();
    const ratedPowerW = Number(o.ratedPowerW);
    if (!connectorId) throw new Error(`connectors[${i}].connectorId is required`);
    if (!meterId) throw new Error(`connectors[${i}].meterId is required`);
    if (!Number.isInteger(ratedPowerW) || ratedPowerW <= 0) throw new Error(`connectors[${i}].ratedPowerW must be a positive whole number of W`);
    if (ids.has(connectorId)) throw new Error(`connector ${connectorId} is listed twice`);
    if (meters.has(meterId)) throw new Error(`meter ${meterId} is used by two connectors`);
    ids.add(connectorId);
    meters.add(meterId);
    return { connectorId, meterId, ratedPowerW };
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

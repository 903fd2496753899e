// Domain types shared across the core, the adapters and the Node-RED glue.
// Units are in the names: Wh and W are integers, A/V/Hz are decimals at the meter's precision.

/** One validated meter reading in SI units; energy registers are exact integer Wh. */
export interface MeterReading {
  /** Meter identity: the equipment id from the telegram, or the configured id. */
  meterId: string;
  /** Monotonic sequence number per meter source, strictly increasing from 1. */
  seq: number;
  /** Controller wall-clock time when the telegram completed, ms since the epoch. */
  timeMs: number;
  /** Controller monotonic time when the telegram completed, ms (only differences are meaningful). */
  monoMs: number;
  /** The meter's own timestamp, ISO 8601, when the telegram carries one. */
  meterTime?: string;
  /** Total imported active energy, integer Wh. */
  energyImportWh?: number;
  /** Total exported active energy, integer Wh. */
  energyExportWh?: number;
  /** Active power, W (import positive, export negative), integer. */
  powerW?: number;
  /** Voltage per phase L1..L3 in V; null where the meter does not report that phase. */
  voltageV?: (number | null)[];
  /** Current per phase L1..L3 in A; null where the meter does not report that phase. */
  currentA?: (number | null)[];
  /** Grid frequency, Hz. */
  frequencyHz?: number;
  /** The register values exactly as the meter sent them, keyed by OBIS code or profile key. */
  raw?: Record<string, string>;
  /** DSMR M-Bus channels (gas/water/heat sub-meters), when the meter profile exposes them. */
  mbus?: MbusChannel[];
}

/** One M-Bus channel of a DSMR telegram; values stay exact decimal text in the unit sent. */
export interface MbusChannel {
  /** Channel number n of the 0-n:24.x codes (1..4). */
  channel: number;
  /** Device type (0-n:24.1.0), e.g. 3 = gas, 7 = water. */
  deviceType?: number;
  /** Equipment id (0-n:96.1.0 / 0-n:96.1.1), hex-ASCII decoded when printable. */
  equipmentId?: string;
  /** Last value exactly as sent ("00981.443") and its unit ("m3"). */
  value?: string;
  unit?: string;
  /** Capture time of the value, ISO 8601. */
  meterTime?: string;
}

/** Health of one meter source, as the meter node reports it. */
export type MeterHealthState = 'ok' | 'stale' | 'disconnected' | 'corrupt';

/** A meter health snapshot: emitted on every state change. */
export interface MeterHealth {
  meterId: string;
  state: MeterHealthState;
  /** Age of the last good reading in ms, or null if none was ever received. */
  lastGoodAgeMs: number | null;
  /** Rejections and errors counted by reason since start. */
  errors: Record<string, number>;
  /** Wall-clock ms when this state began. */
  sinceMs: number;
}

/** Why a charging session ended. */
export type StopReason = 'ev' | 'local' | 'remote' | 'power_loss' | 'meter_fault' | 'deauthorized' | 'unknown';

/** A register reading as recorded at a session boundary. */
export interface SessionReading {
  /** Cumulative import register, integer Wh. */
  energyWh: number;
  /** Wall-clock time of the reading, ISO 8601 UTC. */
  time: string;
  /** Meter id and sequence number of the reading the value came from. */
  meterId: string;
  meterSeq: number;
  /** The register value exactly as the meter sent it (for example "000123.456*kWh"). */
  raw?: string;
}

/** Energy delivered within one metering interval of a session; the unit pricing works on. */
export interface SessionPeriod {
  /** Interval start, ISO 8601 UTC. */
  start: string;
  /** Interval end (exclusive), ISO 8601 UTC. */
  end: string;
  /** Energy delivered in the interval, integer Wh. */
  energyWh: number;
  /** Seconds in the interval spent charging (power above the threshold). */
  chargingS: number;
  /** Seconds in the interval plugged in but not charging. */
  idleS: number;
  /** Seconds in the interval in which the station withheld power (admission, ramp, 0 A); part of idleS, never billed as parking. */
  heldS?: number;
  /** Peak power seen in the interval, W. */
  maxPowerW: number;
  /** Peak current on any phase in the interval, A (null if the meter gives no current). */
  maxCurrentA: number | null;
}

/** A finished charging session: what the ledger signs and the operator bills. */
export interface Session {
  /** Unique and stable across restarts. */
  id: string;
  stationId: string;
  chargerId: string;
  connectorId: string;
  /** RFID / idTag that authorised the session, if any. */
  idTag?: string;
  /** ISO 8601 UTC wall-clock times. */
  startTime: string;
  endTime: string;
  /** Duration in whole seconds, measured on the monotonic clock where possible. */
  durationS: number;
  chargingTimeS: number;
  idleTimeS: number;
  /** Seconds in which the station withheld power while plugged in; part of idleTimeS, never billed as parking. */
  heldS?: number;
  /** endReading.energyWh - startReading.energyWh (adjusted only for flagged rollover/reset). */
  energyWh: number;
  avgPowerW: number;
  peakPowerW: number;
  startReading: SessionReading;
  endReading: SessionReading;
  periods: SessionPeriod[];
  stopReason: StopReason;
  /** Anomalies: e.g. "implausible:energy_exceeds_rated_power", "meter_reset", "meter_stale", "recovered:power_loss". */
  flags: string[];
  /** Rated power of the connector used for the plausibility check, W. */
  ratedPowerW?: number;
  /** 'unattributed': energy a meter counted that no session can claim (never billed to a driver); absent = a session. */
  type?: 'unattributed';
  /** Why the energy of an unattributed record could not be attributed. */
  unattributed?: { reason: string };
}

/** Money as an exact decimal string in major units, e.g. "12.34". */
export type DecimalString = string;

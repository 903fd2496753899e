// Types of the load-limiting allocator. Currents inside the allocator are integer deci-amps
// (dA, 0.1 A) so that sums and comparisons against the site limit are exact.

/** A site phase, 1..3 (L1..L3). */
export type Phase = 1 | 2 | 3;

/** The constraint that bound a setpoint (the contract's `boundBy`). */
export type BoundBy =
  | 'site_phase_L1'
  | 'site_phase_L2'
  | 'site_phase_L3'
  | 'site_power'
  | 'connector_max'
  | 'cable'
  | 'priority'
  | 'fail_safe'
  | 'admission'
  | 'fair_share'
  | 'ramp'
  | 'ev_draw';

/** What the controller knows about a connector's EV. */
export type ConnectorState =
  /** Not known yet (after a restart): held at the safe current until an event or a meter says more. */
  | 'unknown'
  | 'unplugged'
  /** Plugged, not authorised: no current. */
  | 'plugged'
  /** Authorised and waiting for current. */
  | 'ready'
  | 'charging'
  /** The EV paused itself (full, timer): keeps its minimum reserved. */
  | 'suspended_ev'
  | 'faulted';

/** One connector as configured by the installer. */
export interface ConnectorConfig {
  id: string;
  /** Phases wired to the connector. */
  phases: 1 | 3;
  /** Site phase a 1-phase connector (or a 3-phase connector's L1) is wired to; default 1. */
  phase?: Phase;
  /** Minimum current a car accepts, A (IEC 61851: 6). */
  minCurrentA?: number;
  /** The EVSE rating, A. */
  maxCurrentA: number;
  /** Rating of a fixed cable, A (binds when below maxCurrentA). */
  cableMaxCurrentA?: number;
  /** Higher priority classes are served first; default 0. */
  priority?: number;
  /** Id of the connector's own meter, whose readings give the EV's measured draw. */
  meterId?: string;
}

/** The site's limits: the hard limit from the editor, lowered by the backend's schedule. */
export interface SiteLimit {
  /** Per phase L1..L3, A. */
  maxCurrentA: [number, number, number];
  /** Total active power, W (absent: no power limit). */
  maxPowerW?: number;
}

/** Controller tuning; every field has a default (see config.ts). */
export interface LoadTuning {
  /** Setpoint for every connector when the site meter is stale, and after a restart, A. */
  safeCurrentA: number;
  /** Validity period of every setpoint, s. */
  validForS: number;
  /** A site reading older than this is stale: fail-safe, ms. */
  siteTimeoutMs: number;
  /** A connector-meter reading older than this is ignored, ms. */
  connectorMeterTimeoutMs: number;
  /** Largest increase of one setpoint per step, A. */
  rampStepA: number;
  /** Least time between two increases of one setpoint, ms. */
  rampIntervalMs: number;
  /** An increase smaller than this is not made (hysteresis), A. */
  hysteresisA: number;
  /** The building load used is the highest estimate within this window, so noise cannot move setpoints, ms (0: none). */
  buildingHoldMs: number;
  /** Kept free on every phase; a setpoint may dip into it instead of dropping for every small rise of the building load (dead band), A. */
  reserveA: number;
  /** Time an EV needs to follow a new setpoint, ms: increases count as pending this long. */
  evResponseMs: number;
  /** An EV drawing at least this much less than offered is capped at its draw plus twice this, A. */
  evDrawMarginA: number;
  /** A paused EV stays paused at least this long, ms (spares contactors). */
  minOffMs: number;
  /** A started EV keeps charging at least this long unless the limit forces a pause, ms. */
  minOnMs: number;
  /** Voltage used to turn current into power where the meter gives none, V. */
  nominalVoltageV: number;
}

/** The load node's whole configuration. */
export interface LoadConfig {
  site: SiteLimit;
  connectors: ConnectorConfig[];
  tuning: LoadTuning;
}

/** A site or connector meter sample as the controller uses it. */
export interface CurrentSample {
  /** Per phase L1..L3, A (null: not reported). */
  currentA: (number | null)[];
  /** Active power, W, if the meter gives it. */
  powerW?: number;
  /** Voltage per phase, V, if the meter gives it. */
  voltageV?: (number | null)[];
  /** Controller time of the reading, ms. */
  atMs: number;
}

/** One setpoint message payload (the contract's format). */
export interface Setpoint {
  connectorId: string;
  /** 0.1 A resolution; 0 = pause. */
  currentA: number;
  /** Phases the EV is assumed to load. */
  phases: 1 | 3;
  /** The charger falls back to safeCurrentA when no newer setpoint arrives within this, s. */
  validForS: number;
  /** ISO 8601 UTC end of validity. */
  validUntil: string;
  boundBy: BoundBy;
  safeCurrentA: number;
}

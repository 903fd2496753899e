// Contract: a charger event or IEC 61851 control-pilot state, as the charger (or a flow) sends it
// to the session and load nodes. The one definition both nodes use.
import { id, int, num, obj, oneOf, opt, refuse, str } from './fields';
import { parser } from './result';

/** Explicit charger event names. */
export const CHARGER_EVENTS = ['plug', 'authorize', 'start', 'suspend_ev', 'suspend_evse', 'resume', 'stop', 'unplug'] as const;
/** One explicit event name. */
export type ChargerEventName = (typeof CHARGER_EVENTS)[number];
/** IEC 61851-1 control-pilot states: A unplugged, B plugged, C/D charging (D with ventilation), E/F error. */
export const CP_STATES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
/** One control-pilot state. */
export type CpState = (typeof CP_STATES)[number];
/** Why a session ended, as a charger may report it on `stop` / `unplug`. */
export const EVENT_STOP_REASONS = ['ev', 'local', 'remote', 'power_loss', 'meter_fault', 'deauthorized'] as const;
/** One stop reason a charger may report. */
export type EventStopReason = (typeof EVENT_STOP_REASONS)[number];

/** What every charger message carries. */
interface ChargerEventBase {
  connectorId: string;
  /** The charger's wall clock, ms since the epoch (informative). */
  timeMs?: number;
  /** Phases the EV draws on (1 or 3), where the charger knows it. */
  phases?: 1 | 3;
  /** For a 1-phase EV: the site phase it is on (1..3). */
  phase?: 1 | 2 | 3;
  /** The idTag authorising the EV, on authorize, or on a state report of an occupied connector. */
  idTag?: string;
}

/** A validated charger message: an explicit event, or a control-pilot state (also the state report sent on (re)connect). */
export type ChargerEvent =
  | (ChargerEventBase & { event: ChargerEventName; reason?: EventStopReason })
  | (ChargerEventBase & { cpState: CpState; /** 'status': a state report on (re)connect, like OCPP's StatusNotification at boot. */ report?: 'status' });

/** True if the payload claims to be a charger message (has connectorId and event or cpState); parse it to know. */
export function isChargerEventPayload(p: unknown): boolean {
  return typeof p === 'object' && p !== null && 'connectorId' in p && ('event' in p || 'cpState' in p);
}

/** Parse `msg.payload` of a charger message. A lower-case cpState is taken ('c' = 'C'). */
export const parseChargerEvent = parser<ChargerEvent>('charger event', (input) => {
  const o = obj(input, 'payload');
  const base: ChargerEventBase = { connectorId: id(o.connectorId, 'connectorId') };
  const timeMs = opt(o, 'timeMs', (v, f) => num(v, f, 0));
  if (timeMs !== undefined) base.timeMs = timeMs;
  const ph = opt(o, 'phases', (v, f) => oneOf(v, f, [1, 3] as const));
  if (ph !== undefined) base.phases = ph;
  const phase = opt(o, 'phase', (v, f) => int(v, f, 1, 3) as 1 | 2 | 3);
  if (phase !== undefined) base.phase = phase;
  if (o.idTag !== undefined && o.idTag !== null && o.idTag !== '') base.idTag = str(o.idTag, 'idTag', 64);
  if (o.cpState !== undefined) {
    if (o.event !== undefined) refuse('payload', 'must have event or cpState, not both');
    const cp = oneOf(typeof o.cpState === 'string' ? o.cpState.toUpperCase() : o.cpState, 'cpState', CP_STATES);
    if (o.reason !== undefined) refuse('reason', 'belongs to an event (stop, unplug), not to a cpState');
    const report = opt(o, 'report', (v, f) => oneOf(v, f, ['status'] as const));
    return { ...base, cpState: cp, ...(report ? { report } : {}) };
  }
  const event = oneOf(o.event, 'event', CHARGER_EVENTS);
  const reason = opt(o, 'reason', (v, f) => oneOf(v, f, EVENT_STOP_REASONS));
  if (reason !== undefined && event !== 'stop' && event !== 'unplug') refuse('reason', `belongs to stop or unplug, not to ${event}`);
  return { ...base, event, ...(reason ? { reason } : {}) };
});

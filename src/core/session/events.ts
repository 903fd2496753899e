// Charger events as they arrive in msg.payload: explicit events or IEC 61851 control-pilot states.
import type { StopReason } from '../types';

/** Explicit charger event names (see the node's help for the message format). */
export const CHARGER_EVENTS = ['plug', 'authorize', 'start', 'suspend_ev', 'suspend_evse', 'resume', 'stop', 'unplug'] as const;
/** One explicit event name. */
export type ChargerEventName = (typeof CHARGER_EVENTS)[number];
/** IEC 61851-1 control-pilot states: A unplugged, B plugged, C/D charging (D with ventilation), E/F error. */
export type CpState = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

const STOP_REASONS: readonly StopReason[] = ['ev', 'local', 'remote', 'power_loss', 'meter_fault', 'deauthorized', 'unknown'];
const CP_STATES: readonly CpState[] = ['A', 'B', 'C', 'D', 'E', 'F'];

/** A validated charger event for one connector. */
export type ChargerEvent =
  | { connectorId: string; event: ChargerEventName; idTag?: string; reason?: StopReason; timeMs?: number }
  | { connectorId: string; cpState: CpState; idTag?: string; report?: 'status'; timeMs?: number };

/** True if the payload looks like a charger event (has connectorId and event or cpState). */
export function isChargerEventPayload(p: unknown): boolean {
  return typeof p === 'object' && p !== null && 'connectorId' in p && ('event' in p || 'cpState' in p);
}

/** Validate a charger event payload; throws an Error naming the bad field. */
export function parseChargerEvent(p: unknown): ChargerEvent {
  if (typeof p !== 'object' || p === null) throw new Error('charger event: payload must be an object');
  const o = p as Record<string, unknown>;
  if ((typeof o.connectorId !== 'string' && typeof o.connectorId !== 'number') || String(o.connectorId) === '') {
    throw new Error('charger event: connectorId (string) is required');
  }
  const connectorId = String(o.connectorId);
  let timeMs: number | undefined;
  if (o.timeMs !== undefined) {
    if (typeof o.timeMs !== 'number' || !Number.isFinite(o.timeMs)) throw new Error('charger event: timeMs must be ms since the epoch');
    timeMs = o.timeMs;
  }
  const idTag = parseIdTag(o.idTag);
  if (o.cpState !== undefined) {
    const cp = String(o.cpState).toUpperCase() as CpState;
    if (!CP_STATES.includes(cp)) throw new Error(`charger event: cpState must be one of A-F (got ${String(o.cpState)})`);
    // A state report (sent by the charger on every (re)connect) says what is true now, with the authorised idTag.
    if (o.report !== undefined && o.report !== 'status') throw new Error(`charger event: report must be "status" (got ${String(o.report)})`);
    return { connectorId, cpState: cp, ...(idTag !== undefined ? { idTag } : {}), ...(o.report === 'status' ? { report: 'status' as const } : {}), ...(timeMs !== undefined ? { timeMs } : {}) };
  }
  if (typeof o.event !== 'string' || !(CHARGER_EVENTS as readonly string[]).includes(o.event)) {
    throw new Error(`charger event: event must be one of ${CHARGER_EVENTS.join(', ')} (got ${String(o.event)})`);
  }
  const ev: ChargerEvent = { connectorId, event: o.event as ChargerEventName };
  if (idTag !== undefined) ev.idTag = idTag;
  if (o.reason !== undefined) {
    if (!STOP_REASONS.includes(o.reason as StopReason)) throw new Error(`charger event: reason must be one of ${STOP_REASONS.join(', ')}`);
    ev.reason = o.reason as StopReason;
  }
  if (timeMs !== undefined) ev.timeMs = timeMs;
  return ev;
}

function parseIdTag(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error('charger event: idTag must be a string');
  return v;
}

// The contract of every message that crosses a wire between ChargeLedger nodes: one parser per kind,
// the only way a node turns msg.payload into a typed value. Each parser is total: it never throws.
export * from './result';
export { parseReading } from './reading';
export { parseHealth, HEALTH_STATES } from './health';
export { parseChargerEvent, isChargerEventPayload, CHARGER_EVENTS, CP_STATES, EVENT_STOP_REASONS, type ChargerEvent, type ChargerEventName, type CpState } from './charger-event';
export { parseSessionEvent, SESSION_EVENT_TYPES, type SessionEvent } from './session-event';
export { parseSession, STOP_REASONS } from './session';
export { parsePricedSession, type PricedSession } from './priced-session';
export { parseRecord } from './record';
export { parseSetpoint, BOUND_BY } from './setpoint';
export { parseConfigMessage, CONFIG_TOPICS, type ConfigMessage } from './config';

// The one input path: a node's message becomes a typed input by its msg.kind (a charger event by
// its shape), through the contract parser of that kind, once, where it enters the node.
import { isChargerEventPayload, parseChargerEvent, parseConfigMessage, parseHealth, parsePricedSession, parseReading, parseRecord, parseSessionEvent, parseSetpoint, type ChargerEvent, type ConfigMessage, type PricedSession, type Result, type SessionEvent } from '../../core/contract';
import type { LedgerRecord } from '../../core/ledger/record';
import type { Setpoint } from '../../core/load/types';
import type { MeterHealth, MeterReading } from '../../core/types';
import type { NodeMessage } from './red';

/** A message after parsing: its kind and the typed value. */
export type Input =
  | { kind: 'reading'; value: MeterReading }
  | { kind: 'health'; value: MeterHealth }
  | { kind: 'charger-event'; value: ChargerEvent }
  | { kind: 'setpoint'; value: Setpoint }
  | { kind: 'session'; value: PricedSession }
  | { kind: 'session-event'; value: SessionEvent }
  | { kind: 'record'; value: LedgerRecord }
  | { kind: 'config'; value: ConfigMessage };

/** Every input kind. */
export type InputKind = Input['kind'];

/** The value type of one input kind. */
export type InputOf<K extends InputKind> = Extract<Input, { kind: K }>;

const PARSERS: { [K in InputKind]: (msg: NodeMessage) => Result<InputOf<K>['value']> } = {
  reading: (m) => parseReading(m.payload),
  health: (m) => parseHealth(m.payload),
  'charger-event': (m) => parseChargerEvent(m.payload),
  setpoint: (m) => parseSetpoint(m.payload),
  session: (m) => parsePricedSession(m.payload, m.pricing),
  'session-event': (m) => parseSessionEvent(m.payload),
  record: (m) => parseRecord(m.payload),
  config: (m) => parseConfigMessage({ topic: m.topic, payload: m.payload, version: m.version }),
};

/**
 * The kind a message claims: its msg.kind, or 'charger-event' for a charger's payload, which comes
 * without a kind from the charger's link (a JSON line) or as kind 'event' / 'charger-event'.
 */
export function kindOf(msg: NodeMessage): string | undefined {
  if (typeof msg.kind === 'string' && msg.kind !== 'event') return msg.kind;
  return isChargerEventPayload(msg.payload) || msg.kind === 'event' ? 'charger-event' : undefined;
}

/** Parse a message as one of the kinds a node accepts; the reason names the kind and the field. */
export function parseInput<K extends InputKind>(msg: NodeMessage, accepts: readonly K[]): Result<InputOf<K>> {
  const kind = kindOf(msg);
  if (kind === undefined || !(accepts as readonly string[]).includes(kind)) {
    const names = accepts.map((k) => (k === 'charger-event' ? 'a charger event payload {connectorId, event|cpState}' : `kind '${k}'`));
    return { ok: false, reason: `unrecognised message${kind ? ` (kind ${JSON.stringify(kind).slice(0, 40)})` : ''}: expected ${names.join(', ')}` };
  }
  const r = PARSERS[kind as K](msg);
  return r.ok ? { ok: true, value: { kind, value: r.value } as InputOf<K> } : r;
}

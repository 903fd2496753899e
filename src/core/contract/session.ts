// Contract: a finished session (`msg.kind: 'session'`), as chargeledger-session emits it and the
// price and record nodes take it; also an `unattributed` record of energy no session can claim.
import type { Session, SessionPeriod, SessionReading, StopReason } from '../types';
import { id, int, isoTime, list, num, obj, oneOf, opt, refuse, str } from './fields';
import { parser } from './result';

export type { Session } from '../types';

/** Why a session ended ('unknown': a recovered session whose end nobody saw). */
export const STOP_REASONS = ['ev', 'local', 'remote', 'power_loss', 'meter_fault', 'deauthorized', 'unknown'] as const;

function reading(v: unknown, field: string): SessionReading {
  const o = obj(v, field);
  const r: SessionReading = { energyWh: int(o.energyWh, `${field}.energyWh`), time: isoTime(o.time, `${field}.time`), meterId: str(o.meterId, `${field}.meterId`, 128), meterSeq: int(o.meterSeq, `${field}.meterSeq`) };
  const raw = opt(o, 'raw', (x, f) => str(x, f, 64), `${field}.raw`);
  if (raw !== undefined) r.raw = raw;
  return r;
}

function period(v: unknown, field: string): SessionPeriod {
  const o = obj(v, field);
  const p: SessionPeriod = {
    start: isoTime(o.start, `${field}.start`),
    end: isoTime(o.end, `${field}.end`),
    energyWh: int(o.energyWh, `${field}.energyWh`, -Number.MAX_SAFE_INTEGER),
    chargingS: num(o.chargingS, `${field}.chargingS`, 0),
    idleS: num(o.idleS, `${field}.idleS`, 0),
    maxPowerW: num(o.maxPowerW, `${field}.maxPowerW`),
    maxCurrentA: o.maxCurrentA === null ? null : num(o.maxCurrentA, `${field}.maxCurrentA`),
  };
  const held = opt(o, 'heldS', (x, f) => num(x, f, 0), `${field}.heldS`);
  if (held !== undefined) p.heldS = held;
  return p;
}

/** Parse `msg.payload` of a finished session (or an unattributed record). */
export const parseSession = parser<Session>('session', (input) => {
  const o = obj(input, 'payload');
  const s = {
    ...o,
    id: str(o.id, 'id', 256),
    stationId: id(o.stationId, 'stationId'),
    chargerId: id(o.chargerId, 'chargerId'),
    connectorId: id(o.connectorId, 'connectorId'),
    startTime: isoTime(o.startTime, 'startTime'),
    endTime: isoTime(o.endTime, 'endTime'),
    durationS: num(o.durationS, 'durationS', 0),
    chargingTimeS: num(o.chargingTimeS, 'chargingTimeS', 0),
    idleTimeS: num(o.idleTimeS, 'idleTimeS', 0),
    energyWh: int(o.energyWh, 'energyWh', -Number.MAX_SAFE_INTEGER),
    avgPowerW: num(o.avgPowerW, 'avgPowerW'),
    peakPowerW: num(o.peakPowerW, 'peakPowerW'),
    startReading: reading(o.startReading, 'startReading'),
    endReading: reading(o.endReading, 'endReading'),
    periods: list(o.periods, 'periods', period, 100_000),
    stopReason: oneOf(o.stopReason, 'stopReason', STOP_REASONS) as StopReason,
    flags: list(o.flags, 'flags', (x, f) => str(x, f, 256), 1000),
  } as Session;
  if (o.idTag !== undefined) s.idTag = str(o.idTag, 'idTag', 64);
  if (o.heldS !== undefined) (s as { heldS?: number }).heldS = num(o.heldS, 'heldS', 0);
  if (o.type !== undefined && o.type !== 'unattributed') refuse('type', "must be 'unattributed' when present");
  if (o.type === 'unattributed') {
    if (s.idTag !== undefined) refuse('idTag', 'an unattributed record is nobody\'s: it has no idTag');
    const u = obj(o.unattributed, 'unattributed');
    str(u.reason, 'unattributed.reason', 512);
  }
  return s;
});

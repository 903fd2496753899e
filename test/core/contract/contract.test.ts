// The contract of every message between nodes: each parser is total (never throws, whatever
// arrives), takes the documented examples, and refuses bad values naming the field.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as C from '../../../src/core/contract';
import { makeSession } from '../ledger/session-fixture';
import { makeRecords, stationKey } from '../../adapters/receiver/signed-records';

const parsers: Array<[string, (v: unknown) => C.Result<unknown>]> = [
  ['reading', C.parseReading],
  ['health', C.parseHealth],
  ['charger event', C.parseChargerEvent],
  ['session event', C.parseSessionEvent],
  ['session', C.parseSession],
  ['priced session', (v) => C.parsePricedSession(v, (v as { pricing?: unknown } | null)?.pricing)],
  ['record', C.parseRecord],
  ['setpoint', C.parseSetpoint],
  ['config', C.parseConfigMessage],
];

// Documented examples: README "Messages between the nodes", the simulator README, the node help.
const reading = { meterId: 'CP1-1', seq: 42, timeMs: 1764043200000, monoMs: 123456.7, energyImportWh: 123456, energyExportWh: 0, powerW: 11040, voltageV: [230.1, 229.8, 231], currentA: [16, 16, null], frequencyHz: 50, raw: { '1-0:1.8.0': '000123.456*kWh' } };
const health = { meterId: 'CP1-1', state: 'stale', lastGoodAgeMs: 30000, errors: { bad_checksum: 2 }, sinceMs: 1764043200000 };
const events = [
  { connectorId: '1', event: 'plug', timeMs: 1764043200000 },
  { connectorId: '1', event: 'authorize', idTag: 'RFID4711', timeMs: 1764043201000 },
  { connectorId: '1', event: 'start', timeMs: 1764043201500 },
  { connectorId: '1', event: 'suspend_ev' },
  { connectorId: '1', event: 'stop', reason: 'ev' },
  { connectorId: '1', event: 'unplug' },
  { connectorId: 2, cpState: 'C' },
  { connectorId: '1', cpState: 'C', idTag: 'RFID4711', report: 'status', timeMs: 1764043200000 },
  { connectorId: '1', event: 'start', phases: 1, phase: 2 },
];
const setpoint = { connectorId: '1', currentA: 10.5, phases: 3, validForS: 30, validUntil: '2026-01-01T10:00:30.000Z', boundBy: 'site_phase_L1', safeCurrentA: 6 };

describe('every contract parser', () => {
  it.each(parsers)('%s never throws, whatever it is given', (_name, parse) => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json().map((j) => JSON.parse(j) as unknown), fc.object()), (v) => {
        const r = parse(v);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason).toMatch(/\w/);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on hostile objects (throwing getters, deep nesting)', () => {
    const hostile = Object.defineProperty({}, 'meterId', { get: () => { throw new Error('boom'); }, enumerable: true });
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { session: deep, payload: deep };
    for (const [, parse] of parsers) {
      expect(parse(hostile).ok).toBe(false);
      expect(typeof parse(deep).ok).toBe('boolean');
    }
  });
});

describe('documented examples parse', () => {
  it('reading, health, setpoint', () => {
    expect(C.parseReading(reading)).toEqual({ ok: true, value: reading });
    expect(C.parseHealth(health)).toEqual({ ok: true, value: health });
    expect(C.parseSetpoint(setpoint)).toEqual({ ok: true, value: setpoint });
  });
  it.each(events)('charger event %j', (ev) => {
    const r = C.parseChargerEvent(ev);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.connectorId).toBe(String(ev.connectorId));
  });
  it('session, unattributed record, priced session, record, session event, config', () => {
    const s = makeSession(2);
    expect(C.parseSession(JSON.parse(JSON.stringify(s)))).toMatchObject({ ok: true, value: { id: s.id, energyWh: s.energyWh } });
    const u = { ...makeSession(1, { idTag: undefined, stopReason: 'unknown' as never }), type: 'unattributed', unattributed: { reason: 'controller_restart' } };
    expect(C.parseSession(JSON.parse(JSON.stringify(u))).ok).toBe(true);
    expect(C.parsePricedSession(s, { currency: 'EUR', tariffHash: 'abc' })).toMatchObject({ ok: true, value: { tariffHash: 'abc' } });
    expect(C.parsePricedSession(s, { status: 'failed', reason: 'tariff invalid' }).ok).toBe(true);
    const [rec] = makeRecords('ST-1', stationKey(), 1, 1);
    expect(C.parseRecord(JSON.parse(JSON.stringify(rec))).ok).toBe(true);
    expect(C.parseSessionEvent({ type: 'updated', session: { connectorId: '1', energyWh: 120 } }).ok).toBe(true);
    expect(C.parseConfigMessage({ topic: 'limits', payload: { version: 1 }, version: 5 })).toEqual({ ok: true, value: { topic: 'limits', payload: { version: 1 }, version: 5 } });
  });
});

describe('one answer for one message (the session and load nodes used to disagree)', () => {
  it("takes a lower-case cpState ('c' is C)", () => {
    expect(C.parseChargerEvent({ connectorId: '1', cpState: 'c' })).toEqual({ ok: true, value: { connectorId: '1', cpState: 'C' } });
  });
  it('refuses a reason that is not a stop reason, and a reason on an event that is not a stop', () => {
    expect(C.parseChargerEvent({ connectorId: '1', event: 'start', reason: 'bogus' })).toMatchObject({ ok: false, reason: expect.stringMatching(/reason/) });
    expect(C.parseChargerEvent({ connectorId: '1', event: 'start', reason: 'ev' })).toMatchObject({ ok: false, reason: expect.stringMatching(/reason belongs to stop or unplug/) });
  });
});

describe('bad values are refused, naming the field', () => {
  it.each([
    [C.parseReading, { ...reading, seq: -1 }, /reading: seq/],
    [C.parseReading, { ...reading, energyImportWh: 1.5 }, /energyImportWh must be a whole number/],
    [C.parseReading, { ...reading, meterId: '' }, /meterId/],
    [C.parseReading, { ...reading, currentA: [1, 2, 3, 4] }, /currentA/],
    [C.parseHealth, { ...health, state: 'fine' }, /state must be one of ok, stale, disconnected, corrupt/],
    [C.parseChargerEvent, { connectorId: '1', event: 'explode' }, /event must be one of/],
    [C.parseChargerEvent, { connectorId: '1', cpState: 'Z' }, /cpState/],
    [C.parseChargerEvent, { event: 'plug' }, /connectorId/],
    [C.parseSetpoint, { ...setpoint, currentA: -3 }, /currentA/],
    [C.parseSetpoint, { ...setpoint, currentA: Number.NaN }, /currentA/],
    [C.parseSession, { ...makeSession(1), stopReason: 'explode' }, /stopReason/],
    [C.parseSession, { ...makeSession(1), startTime: 'yesterday' }, /startTime/],
    [C.parseSession, { ...makeSession(1), type: 'unattributed', idTag: 'X', unattributed: { reason: 'r' } }, /idTag/],
    [C.parseConfigMessage, { topic: 'prices', payload: {} }, /topic/],
  ] as Array<[(v: unknown) => C.Result<unknown>, unknown, RegExp]>)('%#', (parse, value, reason) => {
    const r = parse(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

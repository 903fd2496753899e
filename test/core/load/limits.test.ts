import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/limits-config.schema.json';
import { loadConfig, safeCurrentWarning } from '../../../src/core/load/config';
import { effectiveLimit, entryActive, parseLimitsConfig } from '../../../src/core/load/limits';

const validate = new Ajv().compile(schema);
const hard = { maxCurrentA: [63, 63, 63] as [number, number, number] };

const valid: unknown[] = [
  { version: 1 },
  { version: 1, issuedAt: '2026-11-25T04:00:00Z', site: { maxCurrentA: 40, maxPowerW: 30000 } },
  { version: 1, site: { maxCurrentA: [40, 35, 40] }, schedule: [{ start: '2026-11-25T16:00:00Z', end: '2026-11-25T20:00:00Z', maxPowerW: 11000 }] },
  { version: 1, schedule: [{ daily: { from: '22:00', to: '06:00', days: ['mon', 'fri'], timeZone: 'Europe/Amsterdam' }, maxCurrentA: 50 }] },
];
const invalid: Array<[unknown, RegExp]> = [
  [{ version: 2 }, /version 2/],
  [{ version: 1, site: { maxCurrentA: -1 } }, /site.maxCurrentA/],
  [{ version: 1, site: { maxCurrentA: [1, 2] } }, /site.maxCurrentA/],
  [{ version: 1, schedule: [{ daily: { from: '17:00', to: '21:00' } }] }, /sets no limit/],
  [{ version: 1, schedule: [{ daily: { from: '7:00', to: '21:00' }, maxCurrentA: 10 }] }, /HH:MM/],
  [{ version: 1, schedule: [{ maxCurrentA: 10 }] }, /start < end/],
];

describe('limits config', () => {
  it.each(valid)('accepts %j (schema and parser agree)', (p) => {
    expect(validate(p)).toBe(true);
    expect(() => parseLimitsConfig(p)).not.toThrow();
  });

  it.each(invalid)('rejects %j (schema and parser agree)', (p, why) => {
    expect(validate(p)).toBe(false);
    expect(() => parseLimitsConfig(p)).toThrow(why);
  });

  it('rejects what JSON Schema cannot express: an end before the start, an unknown time zone', () => {
    expect(() => parseLimitsConfig({ version: 1, schedule: [{ start: '2026-11-25T20:00:00Z', end: '2026-11-25T16:00:00Z', maxCurrentA: 10 }] })).toThrow(/start < end/);
    expect(() => parseLimitsConfig({ version: 1, schedule: [{ daily: { from: '17:00', to: '21:00', timeZone: 'Mars/Olympus' }, maxCurrentA: 1 }] })).toThrow(/time zone/);
  });

  it('applies daily windows in local time, past midnight, on the listed days', () => {
    // Wednesday 2026-11-25; Amsterdam is UTC+1 in November.
    const e = { daily: { from: '22:00', to: '06:00', days: ['wed' as const], timeZone: 'Europe/Amsterdam' }, maxCurrentA: 1 };
    expect(entryActive(e, Date.parse('2026-11-25T20:59:00Z'))).toBe(false);
    expect(entryActive(e, Date.parse('2026-11-25T21:00:00Z'))).toBe(true);
    expect(entryActive(e, Date.parse('2026-11-26T04:59:00Z'))).toBe(true); // Thursday 05:59, window began Wednesday
    expect(entryActive(e, Date.parse('2026-11-26T05:00:00Z'))).toBe(false);
    expect(entryActive(e, Date.parse('2026-11-26T21:30:00Z'))).toBe(false); // Thursday night: not listed
  });

  it('only ever lowers the editor limit, and takes the smallest active entry', () => {
    const cfg = parseLimitsConfig({
      version: 1,
      site: { maxCurrentA: 100, maxPowerW: 40000 },
      schedule: [
        { start: '2026-11-25T16:00:00Z', end: '2026-11-25T20:00:00Z', maxCurrentA: [40, 30, 40] },
        { start: '2026-11-25T17:00:00Z', end: '2026-11-25T18:00:00Z', maxCurrentA: 35, maxPowerW: 20000 },
      ],
    });
    expect(effectiveLimit(hard, cfg, Date.parse('2026-11-25T15:00:00Z'))).toEqual({ maxCurrentA: [63, 63, 63], maxPowerW: 40000 });
    expect(effectiveLimit(hard, cfg, Date.parse('2026-11-25T16:30:00Z'))).toEqual({ maxCurrentA: [40, 30, 40], maxPowerW: 40000 });
    expect(effectiveLimit(hard, cfg, Date.parse('2026-11-25T17:30:00Z'))).toEqual({ maxCurrentA: [35, 30, 35], maxPowerW: 20000 });
    expect(effectiveLimit(hard, undefined, 0)).toBe(hard);
  });
});

describe('safe current check', () => {
  it('warns when every connector at the safe current would overload a phase', () => {
    const three = [1, 2, 3].map((i) => ({ id: String(i), phases: 3 as const, maxCurrentA: 32 }));
    expect(safeCurrentWarning(loadConfig({ site: { maxCurrentA: 20 }, connectors: three, tuning: { safeCurrentA: 6 } }))).toBeNull();
    expect(safeCurrentWarning(loadConfig({ site: { maxCurrentA: 20 }, connectors: three, tuning: { safeCurrentA: 8 } }))).toMatch(/24 A on L1, above the site limit of 20 A/);
    const onePhase = [1, 2, 3, 4].map((i) => ({ id: String(i), phases: 1 as const, phase: 2 as const, maxCurrentA: 16 }));
    expect(safeCurrentWarning(loadConfig({ site: { maxCurrentA: [40, 20, 40] }, connectors: onePhase, tuning: { safeCurrentA: 6 } }))).toMatch(/on L2/);
  });
});

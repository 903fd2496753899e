import { describe, expect, it } from 'vitest';
import { formatAge, meterStatus } from '../../../src/core/health/status-text';
import { fitStatus } from '../../../src/nodes/lib/status';

describe('meter status text', () => {
  it('shows power in kW when ok', () => {
    expect(meterStatus({ state: 'ok', connected: true, lastGoodAgeMs: 0, powerW: 11040 })).toEqual({ level: 'ok', text: 'ok 11.0 kW' });
    expect(meterStatus({ state: 'ok', connected: true, lastGoodAgeMs: 0 })).toEqual({ level: 'ok', text: 'ok' });
  });
  it('shows the age when stale', () => {
    expect(meterStatus({ state: 'stale', connected: true, lastGoodAgeMs: 30_400 })).toEqual({ level: 'warn', text: 'stale 30s' });
    expect(meterStatus({ state: 'stale', connected: true, lastGoodAgeMs: null }).text).toBe('stale no data');
  });
  it('names the worst meter of a bus', () => {
    expect(meterStatus({ state: 'ok', connected: true, lastGoodAgeMs: 0, powerW: 1, meters: 3 }).text).toBe('ok 3 meters');
    expect(meterStatus({ state: 'stale', connected: true, lastGoodAgeMs: 12_000, meters: 3, meterId: 'SITE' }).text).toBe('stale SITE 12s');
  });
  it('tells disconnected from waiting', () => {
    expect(meterStatus({ state: 'disconnected', connected: false, lastGoodAgeMs: null })).toEqual({ level: 'fault', text: 'disconnected' });
    expect(meterStatus({ state: 'disconnected', connected: true, lastGoodAgeMs: null }).level).toBe('warn');
  });
  it('names the reason when corrupt, within 19 characters after fitting', () => {
    const s = meterStatus({ state: 'corrupt', connected: true, lastGoodAgeMs: 1, lastError: 'impossible_jump' });
    expect(s.level).toBe('fault');
    expect(fitStatus(s.text).length).toBeLessThan(20);
  });
  it('formats ages in growing units', () => {
    expect([formatAge(0), formatAge(119_999), formatAge(120_000), formatAge(7_200_000), formatAge(200_000_000)]).toEqual(['0s', '119s', '2m', '2h', '2d']);
  });
});

import { describe, it, expect } from 'vitest';
import { stationTopics, sessionsSubscription, stationOfSessionsTopic, checkPrefix } from '../../../src/core/sync/topics';
import { parseAck, formatAck, MAX_ACK_IDS } from '../../../src/core/sync/ack';

describe('topics', () => {
  it('builds every station topic under the prefix', () => {
    const t = stationTopics('chargeledger', 'ST-1');
    expect(t).toEqual({
      sessions: 'chargeledger/ST-1/sessions',
      acks: 'chargeledger/ST-1/acks',
      status: 'chargeledger/ST-1/status',
      telemetry: 'chargeledger/ST-1/telemetry',
      config: { tariffs: 'chargeledger/ST-1/config/tariffs', limits: 'chargeledger/ST-1/config/limits' },
      configResult: 'chargeledger/ST-1/config/result',
    });
    expect(stationTopics('acme/eu', 'X').acks).toBe('acme/eu/X/acks');
  });
  it('rejects wildcards and empty levels', () => {
    expect(() => stationTopics('chargeledger', 'a/b')).toThrow(/station id/);
    expect(() => stationTopics('chargeledger', '+')).toThrow();
    expect(() => stationTopics('chargeledger', '')).toThrow();
    expect(() => checkPrefix('a/#')).toThrow();
    expect(() => checkPrefix('/a')).toThrow();
    expect(() => checkPrefix('a//b')).toThrow();
  });
  it('builds the (shared) subscription and reads the station back from a topic', () => {
    expect(sessionsSubscription('cl')).toBe('cl/+/sessions');
    expect(sessionsSubscription('cl', 'g1')).toBe('$share/g1/cl/+/sessions');
    expect(stationOfSessionsTopic('cl', 'cl/ST-9/sessions')).toBe('ST-9');
    expect(stationOfSessionsTopic('cl', 'cl/a/b/sessions')).toBeNull();
    expect(stationOfSessionsTopic('cl', 'other/ST/sessions')).toBeNull();
    expect(stationOfSessionsTopic('cl', 'cl/ST/acks')).toBeNull();
  });
});

describe('parseAck', () => {
  it('accepts {"ack":[ids]} and collapses duplicates', () => {
    expect(parseAck(Buffer.from('{"ack":["a","b","a"]}'))).toEqual({ ok: true, ids: ['a', 'b'] });
    expect(parseAck(formatAck([]))).toEqual({ ok: true, ids: [] });
  });
  it.each([
    ['not json', /not JSON/],
    ['[1]', /not an object/],
    ['null', /not an object/],
    ['{"acks":["a"]}', /array/],
    ['{"ack":"a"}', /array/],
    ['{"ack":[1]}', /non-empty string/],
    ['{"ack":[""]}', /non-empty string/],
  ])('refuses %s', (raw, reason) => {
    const r = parseAck(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
  it('refuses an oversized id list', () => {
    const r = parseAck(formatAck(Array.from({ length: MAX_ACK_IDS + 1 }, (_, i) => `i${i}`)));
    expect(r.ok).toBe(false);
  });
});

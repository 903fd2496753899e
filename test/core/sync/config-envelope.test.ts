import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { checkEnvelope } from '../../../src/core/sync/config-envelope';

const expectOf = { stationId: 'ST-1', currentVersion: 4, maxBytes: 200 };

describe('checkEnvelope', () => {
  it('accepts a newer envelope for this station', () => {
    expect(checkEnvelope('{"stationId":"ST-1","version":5,"payload":{"x":1}}', expectOf)).toEqual({ ok: true, envelope: { stationId: 'ST-1', version: 5, payload: { x: 1 } } });
    expect(checkEnvelope(Buffer.from('{"stationId":"ST-1","version":5,"payload":{},"issuedAt":"t"}'), expectOf)).toMatchObject({ ok: true, envelope: { issuedAt: 't' } });
  });
  it.each([
    ['x'.repeat(201), /too large: 201 bytes > 200/, undefined],
    ['{"stationId":"ST-1","version":5,"payload":{}', /malformed: not JSON/, undefined],
    ['[]', /not an object/, undefined],
    ['{"stationId":"ST-1","version":0,"payload":{}}', /integer >= 1/, undefined],
    ['{"stationId":"ST-1","version":5.5,"payload":{}}', /integer >= 1/, undefined],
    ['{"version":5,"payload":{}}', /"stationId" missing/, 5],
    ['{"stationId":"ST-1","version":5,"payload":[]}', /"payload" must be an object/, 5],
    ['{"stationId":"ST-1","version":5,"payload":{},"issuedAt":1}', /"issuedAt"/, 5],
    ['{"stationId":"ST-2","version":5,"payload":{}}', /wrong station/, 5],
    ['{"stationId":"ST-1","version":4,"payload":{}}', /stale version: 4 <= current 4/, 4],
  ])('rejects %s', (raw, reason, version) => {
    const r = checkEnvelope(raw, expectOf);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(reason);
      expect(r.version).toBe(version);
    }
  });
  it('counts bytes, not characters, against the size limit', () => {
    const body = JSON.stringify({ stationId: 'ST-1', version: 5, payload: { s: '€'.repeat(50) } });
    expect(body.length).toBeLessThan(200);
    expect(checkEnvelope(body, expectOf).ok).toBe(false);
  });
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (s) => typeof checkEnvelope(s, expectOf).ok === 'boolean'));
  });
});

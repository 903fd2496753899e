// The station's trust boundary for acks: only a signed, recent ack for this station removes records.
import { describe, it, expect } from 'vitest';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { ackSignedText, formatAck, MAX_ACK_BYTES, MAX_ACK_IDS, parseAck } from '../../../src/core/sync/ack';
import { checkAck, type AckAuthContext } from '../../../src/core/sync/ack-auth';
import { ackSignatureCheck, createAckSigner } from '../../../src/adapters/crypto/ack-keys';
import { AckGuard } from '../../../src/adapters/mqtt/ack-guard';

const pem = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const backendPem = pem('prime256v1');
const otherPem = pem('prime256v1');
const backendPub = createPublicKey(backendPem);
const sign = createAckSigner(backendPem);
const NOW = 1_764_043_200_000;
const ctx: AckAuthContext = { stationId: 'ST-1', nowMs: NOW, maxSkewMs: 3_600_000, verify: ackSignatureCheck([backendPub]) };
const signed = (ids: string[], stationId = 'ST-1', ts = NOW, signer = sign) => formatAck(ids, signer(stationId, ids, ts));

describe('checkAck', () => {
  it('accepts an ack signed by the backend key for this station', () => {
    expect(checkAck(parseAck(signed(['a', 'b'])), ctx)).toEqual({ ok: true, ids: ['a', 'b'] });
  });
  it.each([
    ['an unsigned ack (the forged ack of the hostile test)', formatAck(['a']), 'unsigned'],
    ['an ack for another station (replayed from a neighbour)', signed(['a'], 'ST-2'), 'foreign_station'],
    ['an ack signed more than the skew ago (replayed)', signed(['a'], 'ST-1', NOW - 3_600_001), 'stale'],
    ['an ack from a future clock', signed(['a'], 'ST-1', NOW + 3_600_001), 'stale'],
    ['an ack signed by another key', signed(['a'], 'ST-1', NOW, createAckSigner(otherPem)), 'bad_signature'],
  ])('refuses %s', (_what, raw, refusal) => {
    const v = checkAck(parseAck(raw), ctx);
    expect(v).toMatchObject({ ok: false, refusal });
  });
  it('refuses a signed ack whose ids were changed after signing', () => {
    const msg = JSON.parse(signed(['a'])) as { ack: string[] };
    msg.ack = ['a', 'victim'];
    expect(checkAck(parseAck(JSON.stringify(msg)), ctx)).toMatchObject({ ok: false, refusal: 'bad_signature' });
  });
  it('refuses a signature that names the right station but signs a different time', () => {
    const msg = JSON.parse(signed(['a'])) as { ts: number };
    msg.ts += 1;
    expect(checkAck(parseAck(JSON.stringify(msg)), ctx)).toMatchObject({ ok: false, refusal: 'bad_signature' });
  });
  it('takes unsigned acks only where the station is set to (verify: null)', () => {
    expect(checkAck(parseAck(formatAck(['a'])), { ...ctx, verify: null })).toEqual({ ok: true, ids: ['a'] });
  });
  it('signs canonical JSON of {ack, stationId, ts}', () => {
    expect(ackSignedText('S', 5, ['b', 'a'])).toBe('{"ack":["b","a"],"stationId":"S","ts":5}');
  });
  it('never throws on arbitrary JSON or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.uint8Array().map((b) => Buffer.from(b))), (raw) => {
        const v = checkAck(parseAck(raw as string | Buffer), ctx);
        expect(typeof v.ok).toBe('boolean');
      }),
    );
  });
  it('refuses oversized messages before parsing them', () => {
    expect(parseAck(Buffer.alloc(MAX_ACK_BYTES + 1, 0x20))).toMatchObject({ ok: false, reason: expect.stringMatching(/larger than/) });
    expect(checkAck(parseAck(Buffer.alloc(MAX_ACK_BYTES + 1, 0x20)), ctx)).toMatchObject({ ok: false, refusal: 'too_large' });
    expect(parseAck(formatAck(Array.from({ length: MAX_ACK_IDS + 1 }, (_, i) => `i${i}`)))).toMatchObject({ ok: false });
  });
});

describe('AckGuard', () => {
  it('counts refusals by reason and drops messages above the intake rate unparsed', () => {
    let now = NOW;
    const g = new AckGuard({ stationId: 'ST-1', verify: ctx.verify, rate: { ratePerS: 10, burst: 5 }, now: () => now });
    const good = Buffer.from(signed(['a']));
    const forged = Buffer.from(formatAck(['a']));
    const verdicts = Array.from({ length: 8 }, (_, i) => g.check(i % 2 ? forged : good));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
    expect(g.refused).toEqual({ unsigned: 2, rate_limited: 3 });
    now += 1000; // the bucket refills at 10/s
    expect(g.check(good).ok).toBe(true);
    expect(g.accepted).toBe(4);
  });
  it('also bounds the bytes taken in per second: large forged acks run out of budget before small real ones would', () => {
    let now = NOW;
    const g = new AckGuard({ stationId: 'ST-1', verify: ctx.verify, byteRate: { ratePerS: 100_000, burst: 200_000 }, now: () => now });
    const big = Buffer.from(formatAck(Array.from({ length: MAX_ACK_IDS }, (_, i) => `forged-${i}-${'x'.repeat(40)}`)));
    expect(big.length).toBeGreaterThan(50_000);
    const n = Math.floor(200_000 / big.length);
    for (let i = 0; i < n + 3; i++) g.check(big);
    expect(g.refused).toEqual({ unsigned: n, rate_limited: 3 });
    now += 1000;
    expect(g.check(Buffer.from(signed(['a']))).ok).toBe(true);
  });
});

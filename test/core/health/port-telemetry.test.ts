// Port-level health on its way to telemetry: a port is never listed as a meter.
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeterHealthSet } from '../../../src/core/health/health-set';
import type { Clock } from '../../../src/core/health/meter-health';
import { TelemetrySnapshot } from '../../../src/core/sync/telemetry';

function clock(): Clock & { advance(ms: number): void } {
  let mono = 0;
  return { nowMs: () => 1_700_000_000_000 + mono, monoMs: () => mono, advance: (ms) => void (mono += ms) };
}

const schema = JSON.parse(readFileSync(path.join(__dirname, '../../../schemas/telemetry.schema.json'), 'utf8'));

describe('meter node health → telemetry', () => {
  it('lists real meters only; a port that went stale before its meter spoke is not a meter', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: '/dev/ttyUSB0' }, c);
    const t = new TelemetrySnapshot('ST-1');
    const feed = (hs: ReturnType<MeterHealthSet['check']>) => hs.forEach((h) => t.health(structuredClone(h)));
    set.sourceOpened();
    c.advance(3000);
    feed(set.check()); // the port, silent so far: stale
    const early = t.take(c.nowMs());
    expect(early.meters).toEqual({});
    expect(early.ports).toEqual({ '/dev/ttyUSB0': { health: 'stale', errors: {}, sinceMs: c.nowMs() } });
    c.advance(500);
    feed(set.reading('SITE'));
    t.reading({ meterId: 'SITE', seq: 1, timeMs: c.nowMs(), monoMs: c.monoMs(), energyImportWh: 5 });
    const later = t.take(c.nowMs());
    expect(Object.keys(later.meters)).toEqual(['SITE']);
    expect(later.meters.SITE.health).toBe('ok');
    expect(later.ports).toBeUndefined();
    expect(new Ajv({ strict: false, validateFormats: false }).validate(schema, later)).toBe(true);
  });

  it('a port with only garbage shows under ports with its counts, valid against the schema', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: 'tcp://gw:2001' }, c);
    const t = new TelemetrySnapshot('ST-1');
    set.sourceOpened();
    set.rejected('garbage').forEach((h) => t.health(h));
    set.rejected('garbage').forEach((h) => t.health(h));
    const msg = t.take(c.nowMs());
    expect(msg.meters).toEqual({});
    expect(msg.ports?.['tcp://gw:2001']).toMatchObject({ health: 'corrupt', errors: { garbage: 1 } });
    expect(new Ajv({ strict: false, validateFormats: false }).validate(schema, msg)).toBe(true);
  });
});

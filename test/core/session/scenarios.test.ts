import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorConfig, SessionConfig } from '../../../src/core/session/config';
import { Harness } from './harness';

/** One step of a scenario fixture (test/fixtures/sessions/*.json). */
type Step =
  | { reading: { meter: string; addWh: number; powerW?: number } }
  | { event: Record<string, unknown> }
  | { health: { meter: string; state: 'ok' | 'stale' | 'disconnected' | 'corrupt' } }
  | { charge: { meter: string; powerW: number; seconds: number; stepS?: number } }
  | { advanceMs: number }
  | { jumpWallMs: number }
  | { tick: true }
  | { expectState: Record<string, string> };

interface Scenario {
  name: string;
  config?: Partial<SessionConfig>;
  connectors?: ConnectorConfig[];
  steps: Step[];
  expect: { finished: Array<Record<string, unknown> & { periodsEnergyWh?: number[] }> };
}

const dir = path.join(__dirname, '..', '..', 'fixtures', 'sessions');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('session scenario fixtures', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const sc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Scenario;
    it(`${file}: ${sc.name}`, () => {
      const h = new Harness(sc.config ?? {}, 'boot', sc.connectors);
      for (const st of sc.steps) {
        if ('reading' in st) h.reading(st.reading.meter, st.reading.addWh, st.reading.powerW);
        else if ('event' in st) h.event(st.event);
        else if ('health' in st) h.ch.handleHealth(st.health.meter, { meterId: st.health.meter, state: st.health.state, lastGoodAgeMs: null, errors: {}, sinceMs: h.wallMs }, { wallMs: h.wallMs, monoMs: h.monoMs });
        else if ('charge' in st) h.charge(st.charge.meter, st.charge.powerW, st.charge.seconds, st.charge.stepS ?? 1);
        else if ('advanceMs' in st) h.advance(st.advanceMs);
        else if ('jumpWallMs' in st) h.jumpWall(st.jumpWallMs);
        else if ('tick' in st) h.tick();
        else if ('expectState' in st) for (const [c, state] of Object.entries(st.expectState)) expect(h.ch.connectors.get(c)!.state, `connector ${c}`).toBe(state);
      }
      const got = h.finished();
      expect(got).toHaveLength(sc.expect.finished.length);
      sc.expect.finished.forEach((want, i) => {
        const { periodsEnergyWh, ...fields } = want;
        const s = got[i]!;
        expect(s).toMatchObject(fields);
        if (!s.flags.some((f) => f.startsWith('meter_reset') || f === 'register_rollover')) expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
        expect(s.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(s.energyWh);
        if (periodsEnergyWh) expect(s.periods.map((p) => p.energyWh)).toEqual(periodsEnergyWh);
      });
    });
  }
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from './scenario';

// One parametrised test over every scenario fixture, as EVerest's EnergyManager json_tests.
const dir = path.join(__dirname, '..', '..', 'fixtures', 'load');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('load scenarios', () => {
  it('has fixtures', () => expect(files.length).toBeGreaterThan(10));
  it.each(files)('%s', (file) => {
    const scenario = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Scenario;
    const results = runScenario(scenario);
    results.forEach(({ step, setpoints, failSafe }, i) => {
      const where = `${file} step ${i} @${step.atMs}ms${step.note ? ` (${step.note})` : ''}`;
      if (step.expectFailSafe !== undefined) expect(failSafe, where).toBe(step.expectFailSafe);
      for (const [id, want] of Object.entries(step.expect ?? {})) {
        const got = setpoints.find((s) => s.connectorId === id);
        expect(got, `${where}: connector ${id}`).toBeDefined();
        const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got?.[k as keyof typeof got]]));
        expect(picked, `${where}: connector ${id}`).toEqual(want);
      }
    });
  });
});

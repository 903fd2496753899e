// Runs one scenario fixture (test/fixtures/load/*.json) against the load controller.
import { loadConfig, type LoadConfigInput } from '../../../src/core/load/config';
import { LoadController } from '../../../src/core/load/controller';
import type { ChargerEvent } from '../../../src/core/load/connector';
import type { Setpoint } from '../../../src/core/load/types';

/** One step: inputs at a time, then a decision (repeated `repeat` times, `everyMs` apart). */
export interface ScenarioStep {
  atMs: number;
  note?: string;
  events?: ChargerEvent[];
  limits?: unknown;
  health?: 'ok' | 'stale' | 'disconnected' | 'corrupt';
  /** Explicit site currents, or building load to which the runner adds what the EVs draw. */
  site?: { currentA?: number[]; buildingA?: number[]; powerW?: number } | null;
  /** Per connector id: the EV draws at most this, A (default: its setpoint). */
  evMaxA?: Record<string, number>;
  /** Connector-meter readings sent this step, by meter id, A per phase (connector order). */
  meters?: Record<string, number[]>;
  repeat?: number;
  everyMs?: number;
  expect?: Record<string, { currentA?: number; boundBy?: string; phases?: 1 | 3 }>;
  expectFailSafe?: boolean;
}

/** A scenario fixture. */
export interface Scenario {
  description: string;
  config: LoadConfigInput;
  startTime?: string;
  steps: ScenarioStep[];
}

/** What the runner checks after each step. */
export interface StepResult {
  step: ScenarioStep;
  setpoints: Setpoint[];
  failSafe: boolean;
}

/** Run a scenario; returns the setpoints after each step. */
export function runScenario(s: Scenario): StepResult[] {
  const cfg = loadConfig(s.config);
  const wall0 = Date.parse(s.startTime ?? '2026-11-25T12:00:00Z');
  const ctl = new LoadController(cfg, 0);
  const results: StepResult[] = [];
  let last: Setpoint[] = ctl.failSafe(0, wall0, 'restart');
  for (const step of s.steps) {
    for (const ev of step.events ?? []) ctl.event(ev, step.atMs);
    if (step.limits !== undefined) ctl.setLimits(step.limits);
    if (step.health) ctl.siteHealth(step.health === 'ok');
    const n = step.repeat ?? 1;
    for (let k = 0; k < n; k++) {
      const t = step.atMs + k * (step.everyMs ?? 1000);
      const evDraw = cfg.connectors.map((c, i) => {
        const rt = ctl.connectors[i];
        const a = Math.min(last[i].currentA, step.evMaxA?.[c.id] ?? Infinity);
        const wants = rt.state === 'charging';
        return { phases: rt.sitePhases, a: wants ? a : 0, meterId: c.meterId };
      });
      for (const [meterId, currentA] of Object.entries(step.meters ?? {})) ctl.connectorReading(meterId, { currentA, atMs: t });
      if (step.site) {
        let currentA = step.site.currentA;
        if (!currentA) {
          currentA = (step.site.buildingA ?? [0, 0, 0]).slice();
          for (const d of evDraw) for (const p of d.phases) currentA[p - 1] += d.a;
        }
        ctl.siteReading({ currentA, powerW: step.site.powerW, atMs: t });
      }
      last = ctl.decide(t, wall0 + t);
    }
    results.push({ step, setpoints: last, failSafe: ctl.failSafeReason !== null });
  }
  return results;
}

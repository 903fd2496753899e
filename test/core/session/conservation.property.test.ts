import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '../../../src/core/session/config';
import type { Session } from '../../../src/core/types';
import { Harness } from './harness';

// Energy conservation (property): whatever charger events, readings, crashes (kill -9) and disk-full windows
// come, the records of a connector telescope — each starts at the register where the previous one ended,
// unattributed records filling any gap — and their energies add up to last register − first register.
const M1 = 'CP1-1';

type Action =
  | { event: string; idTag?: string }
  | { cpState: string; idTag?: string; report?: 'status' }
  | { addWh: number; dtMs: number; powerW: number }
  | { tickMs: number }
  | { setpointA: number }
  | { crash: true; downtimeMs: number; whDown: number }
  | { diskFull: true };

const tagArb = fc.option(fc.constantFrom('T1', 'T2', 'T3'), { nil: undefined });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ event: fc.constantFrom('plug', 'authorize', 'start', 'suspend_ev', 'suspend_evse', 'resume', 'stop', 'unplug'), idTag: tagArb }) },
  { weight: 2, arbitrary: fc.record({ cpState: fc.constantFrom('A', 'B', 'C', 'E'), idTag: tagArb, report: fc.option(fc.constant('status' as const), { nil: undefined }) }) },
  { weight: 8, arbitrary: fc.record({ addWh: fc.integer({ min: 0, max: 30 }), dtMs: fc.integer({ min: 200, max: 20_000 }), powerW: fc.integer({ min: 0, max: 11_000 }) }) },
  { weight: 1, arbitrary: fc.record({ tickMs: fc.integer({ min: 0, max: 40_000 }) }) },
  { weight: 1, arbitrary: fc.record({ setpointA: fc.constantFrom(0, 6, 16) }) },
  { weight: 1, arbitrary: fc.record({ crash: fc.constant(true as const), downtimeMs: fc.integer({ min: 0, max: 600_000 }), whDown: fc.integer({ min: 0, max: 500 }) }) },
  { weight: 1, arbitrary: fc.record({ diskFull: fc.constant(true as const) }) },
);

/** Drive a station (session machines + checkpoint store + ledger) through the actions; return every record. */
function run(actions: Action[], cfg: Partial<SessionConfig>): { records: Session[]; firstWh: number | undefined; lastWh: number } {
  let boot = 0;
  let h = new Harness(cfg, `boot-${boot}`);
  const store = new Map<string, unknown>();
  const records = new Map<string, Session>();
  let diskFull = false;
  let seen = 0;
  let firstWh: number | undefined;
  const flush = (): void => {
    for (const o of h.outputs.slice(seen)) {
      // While the disk is full the record node holds records in memory: a crash loses them.
      if (o.session && !diskFull && !records.has(o.session.id)) {
        records.set(o.session.id, o.session);
        store.delete(o.session.id);
      }
    }
    seen = h.outputs.length;
    const due = h.ch.checkpointsDue({ wallMs: h.wallMs, monoMs: h.monoMs }, h.wallMs);
    if (!diskFull) for (const w of due) store.set(w.sessionId, JSON.parse(JSON.stringify(w.state)));
  };
  const crash = (downtimeMs: number, whDown: number): void => {
    const b = new Harness(cfg, `boot-${++boot}`);
    b.suffix = boot * 10_000; // random suffixes differ between processes (ids stay unique)
    b.wallMs = h.wallMs + downtimeMs;
    b.monoMs = 1000 + boot;
    b.register = new Map(h.register);
    b.register.set(M1, b.register.get(M1)! + whDown);
    const report = b.ch.recover([...store].map(([sessionId, state]) => ({ sessionId, state })));
    h = b;
    seen = 0;
    diskFull = false;
    for (const s of report.reemit) if (!records.has(s.id)) records.set(s.id, s);
    h.tick();
    flush();
  };
  const reading = (addWh: number, powerW: number): void => {
    h.reading(M1, addWh, powerW);
    firstWh ??= h.register.get(M1)! - addWh;
  };
  reading(0, 0);
  flush();
  for (const a of actions) {
    if ('addWh' in a) {
      h.advance(a.dtMs);
      reading(a.addWh, a.powerW);
    } else if ('tickMs' in a) {
      h.advance(a.tickMs);
      h.tick();
    } else if ('setpointA' in a) {
      h.ch.handleSetpoint('1', a.setpointA, { wallMs: h.wallMs, monoMs: h.monoMs });
    } else if ('crash' in a) {
      // What the meter counts while the controller is down is bounded by the connector's rated power.
      crash(a.downtimeMs, Math.min(a.whDown, Math.floor((a.downtimeMs * 11_000) / 3_600_000)));
      continue;
    } else if ('diskFull' in a) {
      diskFull = true;
      continue;
    } else {
      h.event({ connectorId: '1', ...a });
    }
    flush();
  }
  // A disk-full window ends with a crash; then the EV leaves and everything is closed.
  if (diskFull) crash(1000, 0);
  h.event({ connectorId: '1', cpState: 'A', report: 'status' });
  flush();
  h.advance(1000);
  reading(0, 0);
  flush();
  h.advance(60_000);
  h.tick();
  h.advance(1000);
  reading(0, 0);
  flush();
  expect(h.ch.connectors.get('1')!.session).toBeUndefined();
  return { records: [...records.values()].filter((r) => r.connectorId === '1'), firstWh, lastWh: h.register.get(M1)! };
}

describe('energy conservation across events, crashes and full disks (property)', () => {
  it('records telescope per connector and their energies add up to last register − first register', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 80 }), fc.constantFrom<SessionConfig['recoveryPolicy']>('resume', 'close'), (actions, recoveryPolicy) => {
        const { records, firstWh, lastWh } = run(actions, { recoveryPolicy, recoveryWaitMs: 30_000 });
        const total = records.reduce((a, r) => a + r.energyWh, 0);
        expect(total).toBe(lastWh - firstWh!);
        const moving = records.filter((r) => r.endReading.energyWh !== r.startReading.energyWh);
        const sorted = [...moving].sort((x, y) => x.startReading.energyWh - y.startReading.energyWh);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i].startReading.energyWh).toBe(sorted[i - 1].endReading.energyWh);
        if (sorted.length) {
          expect(sorted[0].startReading.energyWh).toBe(firstWh);
          expect(sorted.at(-1)!.endReading.energyWh).toBe(lastWh);
        }
        for (const r of records) {
          expect(r.energyWh).toBe(r.endReading.energyWh - r.startReading.energyWh);
          if (r.flags.some((f) => f.startsWith('recovered:') && f !== 'recovered:resumed')) expect(r.stopReason).not.toBe('ev');
          if (r.type === 'unattributed') {
            expect(r.idTag).toBeUndefined();
            expect(r.stopReason).toBe('unknown');
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

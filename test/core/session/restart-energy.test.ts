import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/core/types';
import { Harness } from './harness';

// Energy conservation across controller restarts: every Wh the connector meter counts ends up in exactly one
// record, either a session or an unattributed record, and a recovered session never claims a stop reason it did not see.
const M1 = 'CP1-1';
const C1 = { connectorId: '1' };

/** A checkpoint store as the session node drives it: checkpoints due after every input, finished sessions kept until "recorded". */
class Station {
  store = new Map<string, unknown>();
  records: Session[] = [];
  diskFull = false;
  private seen = 0;

  constructor(public h: Harness) {}

  /** What the node's flush does after each input; while the disk is full nothing is written and records stay in memory (lost on a crash). */
  flush(): void {
    const outs = this.h.outputs.slice(this.seen);
    this.seen = this.h.outputs.length;
    for (const o of outs) {
      if (!o.session || this.diskFull) continue;
      this.records.push(o.session); // the ledger's append batch also deletes the checkpoint
      this.store.delete(o.session.id);
    }
    const due = this.h.ch.checkpointsDue({ wallMs: this.h.wallMs, monoMs: this.h.monoMs }, this.h.wallMs);
    if (!this.diskFull) for (const w of due) this.store.set(w.sessionId, JSON.parse(JSON.stringify(w.state)));
  }

  /** kill -9 and start again after `downtimeMs`, with `whDown` counted by the meter meanwhile. */
  restart(downtimeMs: number, whDown = 0): Harness {
    const b = new Harness({}, `boot-${Math.random()}`);
    b.wallMs = this.h.wallMs + downtimeMs;
    b.monoMs = 3_000;
    b.register = new Map(this.h.register);
    b.register.set(M1, b.register.get(M1)! + whDown);
    const report = b.ch.recover([...this.store].map(([sessionId, state]) => ({ sessionId, state })));
    for (const s of report.reemit) if (!this.records.some((r) => r.id === s.id)) this.records.push(s);
    this.diskFull = false;
    this.h = b;
    this.seen = 0;
    b.tick();
    this.flush();
    return b;
  }

  do(fn: (h: Harness) => void): void {
    fn(this.h);
    this.flush();
  }

  /** Charge at `powerW` with a reading every second (exact Wh, remainder carried), flushing after each. */
  charge(powerW: number, seconds: number): void {
    let carry = 0;
    for (let t = 0; t < seconds; t++) {
      this.do((h) => {
        h.advance(1000);
        carry += powerW;
        const wh = Math.floor(carry / 3600);
        carry -= wh * 3600;
        h.reading(M1, wh, powerW);
      });
    }
  }

  /** The open-session checkpoint in the store. */
  openCheckpoint(): { session: { lastReading: { energyWh: number } } } {
    return [...this.store.values()].find((v) => (v as { kind: string }).kind === 'open') as { session: { lastReading: { energyWh: number } } };
  }
}

/** Start a station and charge one session for 10 minutes at 11 kW (1833 Wh). */
function charging(idTag = 'TAG1'): Station {
  const st = new Station(new Harness({}, 'boot-A'));
  st.do((h) => h.reading(M1, 0, 0));
  st.do((h) => h.event({ ...C1, event: 'plug' }));
  st.do((h) => h.event({ ...C1, event: 'authorize', idTag }));
  st.do((h) => h.event({ ...C1, event: 'start' }));
  st.charge(11000, 600);
  return st;
}

const unattributed = (rs: Session[]) => rs.filter((r) => r.type === 'unattributed');
const sessions = (rs: Session[]) => rs.filter((r) => r.type === undefined);

/** Consecutive records of one connector continue each other's registers. */
function expectTelescoping(rs: Session[], firstWh: number, lastWh: number): void {
  const sorted = [...rs].sort((x, y) => x.startReading.energyWh - y.startReading.energyWh || Date.parse(x.startTime) - Date.parse(y.startTime));
  for (let i = 1; i < sorted.length; i++) expect(sorted[i].startReading.energyWh).toBe(sorted[i - 1].endReading.energyWh);
  expect(sorted[0].startReading.energyWh).toBe(firstWh);
  expect(sorted.at(-1)!.endReading.energyWh).toBe(lastWh);
  expect(rs.reduce((a, r) => a + r.energyWh, 0)).toBe(lastWh - firstWh);
}

describe('restart while an EV charges', () => {
  it('the charger reports C: one resumed record carries the whole energy, downtime included', () => {
    const st = charging();
    const id = st.h.ch.connectors.get('1')!.session!.id;
    const b = st.restart(90_000, 275);
    st.do((h) => h.reading(M1, 0, 11000)); // before the report: kept aside
    st.do((h) => h.event({ ...C1, cpState: 'C', idTag: 'TAG1', report: 'status' }));
    st.charge(11000, 300);
    st.do((h) => h.event({ ...C1, cpState: 'A' }));
    st.do((h) => {
      h.advance(1000);
      h.reading(M1, 0, 0);
    });
    expect(st.records).toHaveLength(1);
    const [s] = st.records;
    expect(s.id).toBe(id);
    expect(s.flags).toContain('recovered:resumed');
    expect(s.idTag).toBe('TAG1');
    expect(s.energyWh).toBe(1833 + 275 + 916);
    expect(s.endReading.energyWh).toBe(b.register.get(M1));
    expect(s.stopReason).toBe('ev'); // the unplug after the restart was seen
  });

  it('the charger reports A: closed at the checkpoint\'s last reading, the gap is one unattributed record', () => {
    const st = charging();
    const ckptWh = st.openCheckpoint().session.lastReading.energyWh;
    st.restart(60_000, 120);
    st.do((h) => h.event({ ...C1, cpState: 'A', report: 'status' }));
    st.do((h) => h.reading(M1, 0, 0));
    const [s] = sessions(st.records);
    expect(s.stopReason).toBe('power_loss');
    expect(s.flags).toContain('recovered:power_loss');
    expect(s.endReading.energyWh).toBe(ckptWh);
    const [u] = unattributed(st.records);
    expect(u.startReading.energyWh).toBe(ckptWh);
    expect(u.endReading.energyWh).toBe(st.h.register.get(M1));
    expect(u.energyWh).toBeGreaterThanOrEqual(120);
    expectTelescoping(st.records, 1_000_000, st.h.register.get(M1)!);
  });

  it('the report names another driver: the old session closes, the new one opens with the reported idTag', () => {
    const st = charging('TAG1');
    st.restart(60_000, 50);
    st.do((h) => h.event({ ...C1, cpState: 'C', idTag: 'TAG2', report: 'status' }));
    st.charge(11000, 60);
    const [s] = sessions(st.records);
    expect(s.idTag).toBe('TAG1');
    expect(s.stopReason).toBe('power_loss');
    const next = st.h.ch.connectors.get('1')!.session!;
    expect(next.idTag).toBe('TAG2');
    expect(next.startReading!.energyWh).toBe(unattributed(st.records)[0].endReading.energyWh);
  });

  it('no report at all but energy rising: after the wait a started_unobserved session takes the energy', () => {
    const st = charging();
    st.restart(30_000, 90);
    st.charge(11000, 40); // recoveryWaitMs (30 s) passes while readings rise
    const open = st.h.ch.connectors.get('1')!.session!;
    expect(open.flags).toContain('started_unobserved');
    expect(open.idTag).toBeUndefined();
    const [s] = sessions(st.records);
    expect(s.stopReason).toBe('power_loss');
    const [u] = unattributed(st.records);
    expect(open.startReading!.energyWh).toBe(u.endReading.energyWh);
    st.do((h) => h.event({ ...C1, cpState: 'A' }));
    st.do((h) => {
      h.advance(1000);
      h.reading(M1, 0, 0);
    });
    expectTelescoping(st.records, 1_000_000, st.h.register.get(M1)!);
  });

  it('energy rising with no session and no event ever: a started_unobserved session, nothing dropped', () => {
    const h = new Harness();
    h.reading(M1, 0, 0);
    h.advance(1000);
    h.reading(M1, 3, 11000);
    h.charge(M1, 11000, 60);
    const s = h.ch.connectors.get('1')!.session!;
    expect(s.flags).toEqual(['started_unobserved']);
    expect(s.startReading!.energyWh).toBe(1_000_000);
    expect(s.energyWh).toBe(3 + 183);
  });

  it('a restart with no session open: energy counted while down is one unattributed record from the last known register', () => {
    const st = charging();
    st.do((h) => h.event({ ...C1, cpState: 'A' }));
    st.do((h) => {
      h.advance(1000);
      h.reading(M1, 0, 0);
    });
    expect(st.records).toHaveLength(1);
    st.restart(60_000, 33);
    st.do((h) => h.reading(M1, 0, 0));
    const [u] = unattributed(st.records);
    expect(u.energyWh).toBe(33);
    expect(u.startReading.energyWh).toBe(st.records[0].endReading.energyWh);
  });
});

describe('disk full, then a crash', () => {
  it('no merged sessions: the stale session closes at its own last reading, the gap is unattributed, never "ev"', () => {
    const st = charging('TAG1');
    const firstWh = 1_000_000;
    st.diskFull = true;
    st.charge(11000, 120);
    st.do((h) => h.event({ ...C1, event: 'unplug', reason: 'ev' }));
    st.do((h) => {
      h.advance(1000);
      h.reading(M1, 0, 0);
    });
    for (const tag of ['TAG2', 'TAG3', 'TAG4']) {
      st.do((h) => h.event({ ...C1, event: 'plug' }));
      st.do((h) => h.event({ ...C1, event: 'authorize', idTag: tag }));
      st.do((h) => h.event({ ...C1, event: 'start' }));
      st.charge(11000, 300);
      st.do((h) => h.event({ ...C1, event: 'unplug', reason: 'ev' }));
      st.do((h) => {
        h.advance(1000);
        h.reading(M1, 0, 0);
      });
    }
    expect(st.records).toEqual([]); // all held in memory, then lost with the process
    st.restart(10_000);
    st.do((h) => h.event({ ...C1, cpState: 'A', report: 'status' }));
    st.do((h) => h.reading(M1, 0, 0));
    const ss = sessions(st.records);
    expect(ss).toHaveLength(1);
    expect(ss[0].idTag).toBe('TAG1');
    expect(ss[0].energyWh).toBeLessThanOrEqual(1833 + 366); // TAG1's own energy at most, none of TAG2..4
    expect(ss.map((s) => s.stopReason)).not.toContain('ev');
    const [u] = unattributed(st.records);
    expect(u.idTag).toBeUndefined();
    expect(u.energyWh).toBeGreaterThanOrEqual(3 * 916);
    expectTelescoping(st.records, firstWh, st.h.register.get(M1)!);
  });

  it('the stop was checkpointed but not the end: stop reason unknown, the reported one only as a flag', () => {
    const st = charging('TAG1');
    st.do((h) => h.event({ ...C1, event: 'unplug', reason: 'ev' }));
    st.diskFull = true;
    st.do((h) => {
      h.advance(1000);
      h.reading(M1, 2, 0);
    });
    st.do((h) => h.event({ ...C1, event: 'plug' }));
    st.do((h) => h.event({ ...C1, event: 'authorize', idTag: 'TAG2' }));
    st.do((h) => h.event({ ...C1, event: 'start' }));
    st.charge(11000, 300);
    st.restart(5000);
    st.do((h) => h.reading(M1, 0, 0));
    const [s] = sessions(st.records);
    expect(s.stopReason).toBe('unknown');
    expect(s.flags).toContain('stop_reported:ev');
    expect(s.energyWh).toBe(1833);
    expect(unattributed(st.records)[0].energyWh).toBe(2 + 916);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../../src/core/session/checkpoint';
import type { SessionConfig } from '../../../src/core/session/config';
import type { Session } from '../../../src/core/types';
import { Harness } from './harness';

const M1 = 'CP1-1';

/** Charge 10 minutes, checkpoint, then "lose power": a new harness (new boot id) with the clocks moved on. */
function crashMidSession(cfg: Partial<SessionConfig> = {}, downtimeMs = 120_000, whDuringDowntime = 0) {
  const a = new Harness(cfg, 'boot-A');
  a.reading(M1, 0, 0);
  a.event({ connectorId: '1', event: 'authorize', idTag: 'TAG' });
  a.event({ connectorId: '1', event: 'start' });
  a.charge(M1, 11000, 600);
  const saved = a.checkpoints();
  const startRegister = 1_000_000;
  // After the restart: new process, new monotonic clock, meter seq starts from 1 again.
  const b = new Harness(cfg, 'boot-B');
  b.wallMs = a.wallMs + downtimeMs;
  b.monoMs = 5_000;
  b.register.set(M1, a.register.get(M1)! + whDuringDowntime);
  const report = b.ch.recover(saved);
  return { a, b, saved, report, startRegister, id: a.ch.connectors.get('1')!.session!.id };
}

function unattributed(h: Harness): Session[] {
  return h.outputs.filter((o) => o.type === 'unattributed').map((o) => o.session as Session);
}

describe('recovery after a power loss', () => {
  it("policy 'close': closed at once at the checkpoint's last reading with power_loss; the downtime energy is unattributed", () => {
    const { a, b, report, startRegister, id } = crashMidSession({ recoveryPolicy: 'close' }, 120_000, 250);
    expect(report.restored).toEqual([id]);
    b.tick(); // collect what recovery produced
    const [s] = b.finished();
    expect(s.id).toBe(id);
    expect(s.stopReason).toBe('power_loss');
    expect(s.flags).toContain('recovered:power_loss');
    expect(s.idTag).toBe('TAG');
    expect(s.startReading.energyWh).toBe(startRegister);
    expect(s.endReading.energyWh).toBe(a.register.get(M1)); // the last reading known to be its own
    expect(s.energyWh).toBe(1833);
    b.advance(2000);
    b.reading(M1, 0, 0); // seq 1 in the new process
    const [u] = unattributed(b);
    expect(u).toMatchObject({ type: 'unattributed', stopReason: 'unknown', energyWh: 250, unattributed: { reason: 'controller_restart' } });
    expect(u.idTag).toBeUndefined();
    expect(u.startReading.energyWh).toBe(s.endReading.energyWh);
    expect(u.endReading.energyWh).toBe(startRegister + 1833 + 250);
  });

  it("policy 'close' with the charger still charging: a new session opens with the reported idTag and continues the register", () => {
    const { b, id } = crashMidSession({ recoveryPolicy: 'close' }, 60_000, 40);
    b.event({ connectorId: '1', cpState: 'C', idTag: 'TAG', report: 'status' });
    b.advance(1000);
    b.reading(M1, 3, 11000);
    const [s] = b.finished();
    expect(s.id).toBe(id);
    const [u] = unattributed(b);
    const next = b.ch.connectors.get('1')!.session!;
    expect(next.id).not.toBe(id);
    expect(next.idTag).toBe('TAG');
    expect(u.startReading.energyWh).toBe(s.endReading.energyWh);
    expect(next.startReading!.energyWh).toBe(u.endReading.energyWh);
  });

  it("policy 'resume': the charger reports charging → the same session goes on, flagged recovered:resumed", () => {
    const { b, id } = crashMidSession({ recoveryPolicy: 'resume' });
    expect(b.ch.connectors.get('1')!.state).toBe('recovering');
    b.advance(500);
    b.reading(M1, 0, 11000);
    b.event({ connectorId: '1', cpState: 'C', report: 'status' });
    expect(b.ch.connectors.get('1')!.state).toBe('charging');
    b.charge(M1, 11000, 600);
    b.event({ connectorId: '1', event: 'stop', reason: 'ev' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const [s] = b.finished();
    expect(s.id).toBe(id);
    expect(s.stopReason).toBe('ev');
    expect(s.flags).toContain('recovered:resumed');
    expect(s.energyWh).toBe(1833 * 2);
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
  });

  it("policy 'resume': a session nobody authorised is not resumed by a report naming a driver (that may be the next EV)", () => {
    const a = new Harness({ recoveryPolicy: 'resume' }, 'boot-A');
    a.reading(M1, 0, 0);
    a.event({ connectorId: '1', event: 'start' });
    a.charge(M1, 11000, 600);
    const id = a.ch.connectors.get('1')!.session!.id;
    const b = new Harness({ recoveryPolicy: 'resume' }, 'boot-B');
    b.wallMs = a.wallMs + 120_000;
    b.monoMs = 5_000;
    b.register.set(M1, a.register.get(M1)! + 500);
    b.ch.recover(a.checkpoints());
    b.reading(M1, 0, 11000);
    b.event({ connectorId: '1', cpState: 'C', idTag: 'NEXT', report: 'status' });
    b.charge(M1, 11000, 600);
    b.event({ connectorId: '1', event: 'stop', reason: 'ev' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const out = b.finished();
    expect(out.find((x) => x.id === id)).toMatchObject({ stopReason: 'power_loss' });
    expect(out.at(-1)).toMatchObject({ idTag: 'NEXT', stopReason: 'ev' });
    expect(unattributed(b)).toMatchObject([{ startReading: { energyWh: out[0]!.endReading.energyWh }, endReading: { energyWh: out.at(-1)!.startReading.energyWh } }]);
  });

  it("policy 'resume': a report of a plugged, not charging connector without an idTag is what a new EV looks like: not resumed", () => {
    const { b, id } = crashMidSession({ recoveryPolicy: 'resume' }, 120_000, 300);
    b.event({ connectorId: '1', cpState: 'B', report: 'status' });
    b.reading(M1, 0, 0);
    b.event({ connectorId: '1', event: 'authorize', idTag: 'NEXT' });
    b.event({ connectorId: '1', event: 'start' });
    b.charge(M1, 11000, 600);
    b.event({ connectorId: '1', event: 'stop', reason: 'ev' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const out = b.finished();
    expect(out.find((x) => x.id === id)).toMatchObject({ idTag: 'TAG', stopReason: 'power_loss' });
    expect(out.at(-1)).toMatchObject({ idTag: 'NEXT', stopReason: 'ev' });
    expect(out.find((x) => x.id === id)!.flags).not.toContain('recovered:resumed');
  });

  it("policy 'resume': a lone 'start' event after the restart is not proof of the same driver: closed, the gap unattributed", () => {
    const { b, id } = crashMidSession({ recoveryPolicy: 'resume' });
    b.advance(500);
    b.reading(M1, 0, 11000);
    b.event({ connectorId: '1', event: 'start' });
    b.charge(M1, 11000, 600);
    b.event({ connectorId: '1', event: 'stop', reason: 'ev' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const out = b.finished();
    const old = out.find((x) => x.id === id)!;
    expect(old.stopReason).toBe('power_loss');
    expect(old.flags).not.toContain('recovered:resumed');
    const total = [...out, ...unattributed(b)].reduce((a, x) => a + x.energyWh, 0);
    expect(total).toBe(out.at(-1)!.endReading.energyWh - old.startReading.energyWh);
  });

  it("policy 'resume': the charger reports unplugged → closed with power_loss", () => {
    const { b } = crashMidSession({ recoveryPolicy: 'resume' });
    b.event({ connectorId: '1', cpState: 'A' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const [s] = b.finished();
    expect(s.stopReason).toBe('power_loss');
    expect(s.flags).toContain('recovered:power_loss');
    expect(b.ch.connectors.get('1')!.state).toBe('idle');
  });

  it("policy 'resume': no report within recoveryWaitMs → closed with power_loss at the latest reading", () => {
    const { b } = crashMidSession({ recoveryPolicy: 'resume', recoveryWaitMs: 30_000 });
    b.advance(1000);
    b.reading(M1, 0, 0);
    b.advance(20_000);
    b.tick();
    expect(b.finished()).toHaveLength(0);
    b.advance(10_000);
    b.tick();
    const [s] = b.finished();
    expect(s.stopReason).toBe('power_loss');
    expect(s.energyWh).toBe(1833);
  });

  it('a redeploy in the same process (same boot id) resumes the session silently', () => {
    const a = new Harness({}, 'boot-A');
    a.reading(M1, 0, 0);
    a.event({ connectorId: '1', event: 'start' });
    a.charge(M1, 11000, 60);
    const saved = a.checkpoints();
    const b = new Harness({}, 'boot-A');
    Object.assign(b, { wallMs: a.wallMs, monoMs: a.monoMs, seq: a.seq, register: a.register });
    b.ch.recover(saved);
    expect(b.ch.connectors.get('1')!.state).toBe('charging');
    b.charge(M1, 11000, 60);
    b.event({ connectorId: '1', event: 'stop' });
    b.advance(1000);
    b.reading(M1, 0, 0);
    const [s] = b.finished();
    expect(s.flags).toEqual([]);
    expect(s.energyWh).toBe(366);
    expect(s.durationS).toBe(121);
  });

  it('a session stopped but not yet closed before the crash closes at its last reading with reason unknown, never the reported one', () => {
    const a = new Harness({}, 'boot-A');
    a.reading(M1, 0, 0);
    a.event({ connectorId: '1', event: 'start' });
    a.charge(M1, 11000, 60);
    a.event({ connectorId: '1', event: 'unplug', reason: 'ev' });
    const saved = a.checkpoints();
    const b = new Harness({}, 'boot-B');
    b.wallMs = a.wallMs + 30_000;
    b.register = a.register;
    b.ch.recover(saved);
    b.reading(M1, 12, 0);
    const [s] = b.finished();
    expect(s.stopReason).toBe('unknown');
    expect(s.flags).toEqual(expect.arrayContaining(['recovered:restart', 'stop_reported:ev']));
    expect(s.energyWh).toBe(183);
    const [u] = unattributed(b);
    expect(u.energyWh).toBe(12);
    expect(u.startReading.energyWh).toBe(s.endReading.energyWh);
  });

  it('finished checkpoints are returned for re-emission; foreign and unreadable ones are left alone', () => {
    const a = new Harness();
    a.reading(M1, 0, 0);
    a.event({ connectorId: '1', event: 'start' });
    a.charge(M1, 11000, 60);
    a.event({ connectorId: '1', event: 'stop' });
    a.advance(1000);
    a.reading(M1, 0, 0);
    const [s] = a.finished();
    const fin = a.ch.finishedCheckpoint('1', s);
    const other = { ...fin.state, chargerId: 'CP9' };
    const b = new Harness({}, 'boot-B');
    const report = b.ch.recover([
      { sessionId: s.id, state: JSON.parse(JSON.stringify(fin.state)) },
      { sessionId: 'x', state: other },
      { sessionId: 'y', state: { v: 99 } },
    ]);
    expect(report.reemit).toEqual([s]);
    expect(report.restored).toEqual([]);
    expect(report.ignored).toEqual([{ sessionId: 'y', error: 'checkpoint: unsupported version 99' }]);
  });

  it('checkpoints are versioned JSON', () => {
    const { saved } = crashMidSession();
    const ck = parseCheckpoint(saved[0].state);
    expect(ck).toMatchObject({ v: 1, kind: 'open', bootId: 'boot-A', stationId: 'ST1', chargerId: 'CP1', connectorId: '1' });
    expect(() => parseCheckpoint({ v: 1, kind: 'open' })).toThrow(/stationId/);
  });
});

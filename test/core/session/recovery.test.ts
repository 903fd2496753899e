import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../../src/core/session/checkpoint';
import type { SessionConfig } from '../../../src/core/session/config';
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

describe('recovery after a power loss', () => {
  it("policy 'close' (default): closed at the first good reading after recovery with reason power_loss, exact energy", () => {
    const { b, report, startRegister, id } = crashMidSession({}, 120_000, 250);
    expect(report.restored).toEqual([id]);
    expect(b.ch.connectors.get('1')!.state).toBe('closing');
    b.advance(2000);
    b.reading(M1, 0, 0); // seq 1 in the new process
    const [s] = b.finished();
    expect(s.id).toBe(id);
    expect(s.stopReason).toBe('power_loss');
    expect(s.flags).toContain('recovered:power_loss');
    expect(s.idTag).toBe('TAG');
    expect(s.startReading.energyWh).toBe(startRegister);
    expect(s.energyWh).toBe(s.endReading.energyWh - s.startReading.energyWh);
    expect(s.energyWh).toBe(1833 + 250); // including what the meter counted while we were down
    expect(s.durationS).toBe(600 + 122);
    expect(s.chargingTimeS).toBe(600); // the downtime is neither charging nor idle
  });

  it("policy 'close' with the charger still charging: the session is closed and a new one continues from the same register", () => {
    const { b, id } = crashMidSession();
    b.event({ connectorId: '1', cpState: 'C' });
    b.advance(1000);
    b.reading(M1, 3, 11000);
    const [s] = b.finished();
    expect(s.id).toBe(id);
    const next = b.ch.connectors.get('1')!.session!;
    expect(next.id).not.toBe(id);
    expect(next.flags).toContain('continued_after_power_loss');
    expect(next.startReading!.energyWh).toBe(s.endReading.energyWh);
  });

  it("policy 'resume': the charger reports charging → the same session goes on, flagged recovered:resumed", () => {
    const { b, id } = crashMidSession({ recoveryPolicy: 'resume' });
    expect(b.ch.connectors.get('1')!.state).toBe('recovering');
    b.advance(500);
    b.reading(M1, 0, 11000);
    b.event({ connectorId: '1', event: 'start' });
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

  it('a session stopped but not yet closed before the crash keeps its reason and closes at the first reading', () => {
    const a = new Harness({}, 'boot-A');
    a.reading(M1, 0, 0);
    a.event({ connectorId: '1', event: 'start' });
    a.charge(M1, 11000, 60);
    a.event({ connectorId: '1', event: 'stop', reason: 'remote' });
    const saved = a.checkpoints();
    const b = new Harness({}, 'boot-B');
    b.wallMs = a.wallMs + 30_000;
    b.register = a.register;
    b.ch.recover(saved);
    b.reading(M1, 0, 0);
    const [s] = b.finished();
    expect(s.stopReason).toBe('remote');
    expect(s.flags).toContain('recovered:restart');
    expect(s.energyWh).toBe(183);
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

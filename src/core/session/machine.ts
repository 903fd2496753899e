// The per-connector session state machine: idle → plugged → charging ⇄ suspended_ev/evse → finished.
// Pure: every input carries its own clock values; outputs are collected and drained by the caller.
import type { MeterHealth, MeterReading, StopReason } from '../types';
import { advance, newPeriod, periodStart, type ClockConfig } from './clock';
import type { ConnectorConfig, SessionConfig } from './config';
import type { ChargerEvent } from './events';
import { buildSession, snapshot, type SessionSnapshot } from './finish';
import { sessionId } from './id';
import type { StepBounds } from './registers';
import { applyReading, readingPowerW } from './apply-reading';
import { addFlag, toReadingRef, type ChargeState, type ConnectorState, type OpenSession, type ReadingRef } from './state';
import { classifyEvent, type EventAction } from './actions';
import type { MachineDeps, MachineOutput, Now, ReadingVerdict } from './machine-types';

export type { MachineDeps, MachineOutput, Now, ReadingVerdict } from './machine-types';

/** One connector's sessions. */
export class ConnectorMachine {
  /** The open session, if any (its JSON is the checkpoint). */
  session?: OpenSession;
  /** The last accepted reading of this connector's meter, session or not. */
  lastReading?: ReadingRef;
  /** Latest meter health state. */
  meterHealth: MeterHealth['state'] = 'ok';
  /** Set when the state changed in a way that must be checkpointed now; the caller clears it. */
  dirty = false;
  /** Accept the next reading whatever its seq (the meter's sequence restarts with the process). */
  acceptAnySeq = false;
  private plugged = false;
  private pendingIdTag?: string;
  private pendingAfterClose: ChargeState | null = null;
  /** After a stop with the EV plugged: a CP C/D opens a new session only after a B (the old C may linger). */
  private needB = false;
  private outputs: MachineOutput[] = [];
  private readonly clock: ClockConfig;
  private readonly bounds: StepBounds;

  constructor(readonly cfg: SessionConfig, readonly connector: ConnectorConfig, private readonly deps: MachineDeps) {
    this.clock = { periodMs: cfg.periodMin * 60_000, chargingThresholdW: cfg.chargingThresholdW, clockJumpToleranceMs: cfg.clockJumpToleranceMs };
    this.bounds = { ratedPowerW: connector.ratedPowerW, tolerancePct: cfg.plausibilityTolerancePct, toleranceWh: cfg.plausibilityToleranceWh, rolloverModulusWh: cfg.rolloverModulusWh };
  }

  /** The connector state shown to the outside. */
  get state(): ConnectorState {
    const s = this.session;
    if (s) return s.phase === 'open' ? s.state : s.phase;
    return this.plugged ? 'finished' : 'idle';
  }

  /** Outputs produced since the last drain, in order. */
  drain(): MachineOutput[] {
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  /** Snapshot of the open session for 'updated' events. */
  snapshot(): SessionSnapshot | null {
    return this.session ? snapshot(this.cfg, this.session) : null;
  }

  /** Offer a meter reading: duplicates and out-of-order readings (seq ≤ last seen) are ignored. */
  handleReading(r: MeterReading): ReadingVerdict {
    const ref = toReadingRef(r);
    if (!ref) return 'no_register';
    const last = this.lastReading;
    let seqRestart = false;
    if (last && !this.acceptAnySeq && ref.seq <= last.seq) {
      // Why: a lower seq stamped later on the monotonic clock means the meter source restarted, not a late reading.
      if (!(ref.seq < last.seq && ref.monoMs > last.monoMs)) return 'stale';
      seqRestart = true;
    }
    this.acceptAnySeq = false;
    this.lastReading = ref;
    const s = this.session;
    if (!s) return 'accepted';
    this.tracked(() => {
      if (seqRestart) addFlag(s, 'meter_seq_restart');
      this.step({ wallMs: ref.timeMs, monoMs: ref.monoMs }, readingPowerW(s, ref, this.bounds));
      applyReading(s, ref, this.bounds);
      if (s.phase === 'closing' && s.stop && (s.stop.monoMs === null || ref.monoMs >= s.stop.monoMs)) this.finish(s.stop.reason);
      else if (s.phase === 'recovering' && s.recovery) s.recovery.readingSeen = true;
    });
    return 'accepted';
  }

  /** Apply a charger event (explicit or control-pilot state). */
  handleEvent(ev: ChargerEvent, now: Now): void {
    this.tracked(() => {
      if (this.session) this.step(now);
      this.onAction(classifyEvent(ev), now, 'idTag' in ev ? ev.idTag : undefined, 'reason' in ev ? ev.reason : undefined);
    });
  }

  /** Record meter health: a meter that is not ok during an open session is flagged (meter_stale, …). */
  handleHealth(h: MeterHealth, now: Now): void {
    this.meterHealth = h.state;
    const s = this.session;
    if (!s || h.state === 'ok') return;
    this.tracked(() => {
      this.step(now);
      addFlag(s, `meter_${h.state}`);
    });
  }

  /** Let time pass: closes a stop that waited too long for its end reading, ends recovery waits. */
  tick(now: Now): void {
    const s = this.session;
    if (!s) return;
    this.tracked(() => {
      this.step(now);
      if (s.phase === 'closing' && s.stop?.sinceMonoMs != null) {
        const limit = s.stop.monoMs === null ? Math.max(this.cfg.closeTimeoutMs, this.cfg.recoveryWaitMs) : this.cfg.closeTimeoutMs;
        if (now.monoMs - s.stop.sinceMonoMs >= limit) {
          if (s.lastReading) addFlag(s, 'end_reading_stale');
          this.finish(s.stop.reason);
        }
      } else if (s.phase === 'recovering' && s.recovery?.sinceMonoMs != null && now.monoMs - s.recovery.sinceMonoMs >= this.cfg.recoveryWaitMs) {
        this.closeRecovered(now);
      }
    });
  }

  /** Take over an open session from a checkpoint. Same boot id: a redeploy, resumed as is; otherwise a power loss. */
  restore(s: OpenSession, savedBootId: string): void {
    this.session = s;
    this.lastReading = s.lastReading;
    this.plugged = true;
    if (savedBootId === this.deps.bootId) return;
    // The monotonic clock and the meter's seq restarted with the process: use the wall clock once, accept any seq.
    s.stepMonoMs = null;
    s.lastReadingMonoValid = false;
    this.acceptAnySeq = true;
    if (s.phase === 'closing' && s.stop) {
      s.stop.monoMs = null;
      s.stop.sinceMonoMs = null;
      addFlag(s, 'recovered:restart');
    } else if (this.cfg.recoveryPolicy === 'close') {
      this.beginPowerLossClose(s);
    } else {
      s.phase = 'recovering';
      s.recovery = { sinceMonoMs: null, readingSeen: false };
    }
    this.dirty = true;
  }

  private onAction(a: EventAction, now: Now, idTag?: string, reason?: StopReason): void {
    const s = this.session;
    if (a.kind === 'authorize') {
      if (s && idTag !== undefined) s.idTag = idTag;
      else if (idTag !== undefined) this.pendingIdTag = idTag;
      return;
    }
    if (a.kind === 'unplug' || a.kind === 'plug' || a.kind === 'cp_b') this.needB = false;
    if (a.kind === 'unplug') this.plugged = false;
    if (s?.phase === 'recovering') {
      if (a.kind === 'state' && a.state === 'charging') {
        s.phase = 'open';
        s.state = 'charging';
        delete s.recovery;
        addFlag(s, 'recovered:resumed');
      } else {
        if (a.kind === 'plug') this.pendingAfterClose = 'plugged';
        this.closeRecovered(now);
      }
      return;
    }
    if (s?.phase === 'closing') {
      if (a.kind === 'plug' || (a.kind === 'state' && a.state === 'charging' && a.opens && !(a.cp && this.needB))) this.pendingAfterClose = a.kind === 'plug' ? 'plugged' : 'charging';
      if (a.kind === 'unplug') this.pendingAfterClose = null;
      if (a.kind === 'cp_b' && !this.plugged) this.pendingAfterClose = 'plugged'; // unplugged, then a new EV
      return;
    }
    switch (a.kind) {
      case 'plug':
        if (!s && (a.always || !this.plugged)) this.open(now, 'plugged');
        return;
      case 'state':
        if (s) {
          s.state = a.state;
          if (a.flag) addFlag(s, a.flag);
        } else if (a.opens && !(a.cp && this.needB)) this.open(now, a.state);
        return;
      case 'cp_b':
        // B while charging: the EV stopped drawing; B with nothing open: an EV was plugged in.
        if (s && s.state === 'charging') s.state = 'suspended_ev';
        else if (!s && !this.plugged) this.open(now, 'plugged');
        return;
      case 'stop':
        if (s) this.beginClose(s, reason ?? 'local', now);
        this.needB = this.plugged;
        return;
      case 'unplug':
        if (s) this.beginClose(s, reason ?? 'ev', now);
        return;
    }
  }

  private open(now: Now, state: ChargeState): void {
    this.plugged = true;
    const id = sessionId(this.cfg.stationId, this.cfg.chargerId, this.connector.connectorId, now.wallMs, this.deps.randomSuffix());
    const last = this.lastReading;
    const s: OpenSession = {
      id,
      connectorId: this.connector.connectorId,
      meterId: this.connector.meterId,
      ratedPowerW: this.connector.ratedPowerW,
      state,
      phase: 'open',
      startWallMs: now.wallMs,
      lastReadingMonoValid: true,
      energyWh: 0,
      elapsedMs: 0,
      chargingMs: 0,
      idleMs: 0,
      stepWallMs: now.wallMs,
      stepMonoMs: now.monoMs,
      effMs: now.wallMs,
      powerW: 0,
      peakPowerW: 0,
      period: newPeriod(periodStart(now.wallMs, this.clock.periodMs), 0),
      periods: [],
      flags: [],
    };
    // The start register is the last reading at/before the start (the register is cumulative), else the first after.
    if (last) {
      s.startReading = last;
      s.lastReading = last;
    }
    if (this.pendingIdTag !== undefined) s.idTag = this.pendingIdTag;
    this.pendingIdTag = undefined;
    this.session = s;
    this.outputs.push({ type: 'started', snapshot: snapshot(this.cfg, s) });
  }

  private beginClose(s: OpenSession, reason: StopReason, now: Now): void {
    s.phase = 'closing';
    s.stop = { reason, wallMs: now.wallMs, monoMs: now.monoMs, sinceMonoMs: now.monoMs };
  }

  private beginPowerLossClose(s: OpenSession): void {
    s.phase = 'closing';
    delete s.recovery;
    s.stop = { reason: 'power_loss', wallMs: s.stepWallMs, monoMs: null, sinceMonoMs: null };
    addFlag(s, 'recovered:power_loss');
  }

  private closeRecovered(now: Now): void {
    const s = this.session as OpenSession;
    const seen = s.recovery?.readingSeen ?? false;
    this.beginPowerLossClose(s);
    if (seen) this.finish('power_loss');
    else if (s.stop) s.stop.sinceMonoMs = now.monoMs;
  }

  private finish(reason: StopReason): void {
    const s = this.session as OpenSession;
    const session = buildSession(this.cfg, s, s.stepWallMs, reason, this.bounds);
    this.session = undefined;
    this.outputs.push({ type: 'finished', snapshot: { ...snapshot(this.cfg, s), state: 'finished' }, session });
    const next = this.pendingAfterClose;
    this.pendingAfterClose = null;
    if (next) {
      this.open({ wallMs: s.stepWallMs, monoMs: s.stepMonoMs ?? 0 }, next);
      if (reason === 'power_loss' && this.session) addFlag(this.session, 'continued_after_power_loss');
    }
  }

  private step(now: Now, intervalPowerW?: number): void {
    const s = this.session as OpenSession;
    advance(s, now.wallMs, now.monoMs, this.clock, intervalPowerW);
    if (s.stop && s.stop.sinceMonoMs === null) s.stop.sinceMonoMs = now.monoMs;
    if (s.recovery && s.recovery.sinceMonoMs === null) s.recovery.sinceMonoMs = now.monoMs;
  }

  /** Run a mutation and mark the machine dirty if the checkpoint-relevant state changed. */
  private tracked(fn: () => void): void {
    const sig = (): string => {
      const s = this.session;
      return s ? `${s.id}|${s.phase}|${s.state}|${s.flags.length}|${s.idTag ?? ''}|${s.startReading?.seq ?? ''}` : `none|${this.outputs.length}`;
    };
    const before = sig();
    fn();
    if (sig() !== before) this.dirty = true;
  }
}

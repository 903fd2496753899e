// The per-connector session state machine: idle → plugged → charging ⇄ suspended_ev/evse → finished.
// Pure: every input carries its own clock values; outputs are collected and drained by the caller.
import type { MeterHealth, MeterReading, StopReason } from '../types';
import { advance, type ClockConfig } from './clock';
import type { ConnectorConfig, SessionConfig } from './config';
import type { ChargerEvent } from './events';
import { buildSession, snapshot, type SessionSnapshot } from './finish';
import { sessionId } from './id';
import { newOpenSession, sameDriver } from './new-session';
import { registerStep, type StepBounds } from './registers';
import { buildUnattributed, UNATTRIBUTED_RESTART } from './unattributed';
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
  /**
   * A reading from before a controller restart that no running session continues from: the register step from it
   * to the next reading has no evidence of who drew it and becomes an unattributed record.
   */
  gapFrom?: ReadingRef;
  private plugged = false;
  /** False while lastReading comes from a checkpoint of another process (its monotonic time means nothing here). */
  private lastReadingThisRun = true;
  /** The last setpoint for this connector was 0 A (the load limiter withholds power). */
  private heldBySetpoint = false;
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

  /**
   * The open session's snapshot with `soFar`: the session as if it ended at its last reading
   * (stop reason `unknown`), built exactly as the finished record is, so that the price node
   * prices "cost so far" with the same engine and rounding as the final record.
   */
  update(): SessionSnapshot | null {
    const s = this.session;
    if (!s) return null;
    return { ...snapshot(this.cfg, s), soFar: buildSession(this.cfg, s, s.stepWallMs, 'unknown', this.bounds) };
  }

  /**
   * Offer a meter reading: duplicates and out-of-order readings (seq ≤ last seen) are ignored. With no open
   * session, a register step > 0 opens a session flagged started_unobserved: counted energy is never dropped.
   */
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
    this.tracked(() => this.take(ref, seqRestart));
    return 'accepted';
  }

  /** Apply an accepted reading: the restart gap first, then the session (or the evidence that one is running). */
  private take(ref: ReadingRef, seqRestart: boolean): void {
    const prev = this.lastReading;
    this.lastReading = ref;
    const gapFrom = this.gapFrom;
    this.gapFrom = undefined;
    if (gapFrom) this.unattributed(gapFrom, ref, UNATTRIBUTED_RESTART);
    const prevFromThisRun = this.lastReadingThisRun;
    this.lastReadingThisRun = true;
    const s = this.session;
    if (!s) {
      // A step from a reading of the previous process crossed the downtime: nobody can be shown to have drawn it.
      if (prev && !gapFrom) {
        if (prevFromThisRun) this.openIfEnergyFlowed(prev, ref);
        else this.unattributed(prev, ref, UNATTRIBUTED_RESTART);
      }
      return;
    }
    if (s.phase === 'recovering' && s.recovery) {
      // Kept aside: these readings belong to the session only if the charger reports it still running.
      s.recovery.first ??= ref;
      s.recovery.last = ref;
      s.recovery.readingSeen = true;
      s.recovery.sinceMonoMs ??= ref.monoMs;
      if (ref.monoMs - s.recovery.sinceMonoMs >= this.cfg.recoveryWaitMs) this.closeRecovered();
      return;
    }
    this.applyToSession(s, ref, seqRestart);
  }

  private applyToSession(s: OpenSession, ref: ReadingRef, seqRestart: boolean): void {
    if (seqRestart) addFlag(s, 'meter_seq_restart');
    this.step({ wallMs: ref.timeMs, monoMs: ref.monoMs }, readingPowerW(s, ref, this.bounds));
    applyReading(s, ref, this.bounds);
    if (s.phase === 'closing' && s.stop && (s.stop.monoMs === null || ref.monoMs >= s.stop.monoMs)) this.finish(s.stop.reason);
  }

  /** Energy counted with no session open: open one from the meter evidence, starting at the previous reading. */
  private openIfEnergyFlowed(prev: ReadingRef, ref: ReadingRef): void {
    // A step beyond the rated power is still energy the meter counted: it opens the session too (flagged there), never vanishes.
    const st = registerStep(prev.energyWh, ref.energyWh, ref.monoMs - prev.monoMs, this.bounds);
    if ((st.kind === 'jump' ? ref.energyWh - prev.energyWh : st.deltaWh) <= 0) return;
    this.open({ wallMs: prev.timeMs, monoMs: prev.monoMs }, 'charging', { start: prev, unobserved: true });
    this.applyToSession(this.session as OpenSession, ref, false);
  }

  /** Emit the record of a register span no session can claim (nothing if the register did not move forward). */
  private unattributed(from: ReadingRef, to: ReadingRef, reason: string): void {
    const st = registerStep(from.energyWh, to.energyWh, to.timeMs - from.timeMs, this.bounds);
    // Why: across a restart the wall clock is the only time base and may be off; a rise beyond the rated power is kept and flagged, not dropped.
    const energyWh = st.kind === 'jump' ? to.energyWh - from.energyWh : st.deltaWh;
    if (energyWh <= 0) return;
    const session = buildUnattributed(this.cfg, this.connector.connectorId, this.connector.ratedPowerW, from, to, energyWh, reason, this.deps.randomSuffix());
    if (st.kind === 'jump') session.flags.push('implausible:energy_exceeds_rated_power');
    this.outputs.push({ type: 'unattributed', session });
  }

  /** Apply a charger event (explicit or control-pilot state). */
  handleEvent(ev: ChargerEvent, now: Now): void {
    this.tracked(() => {
      if (this.session && this.session.phase !== 'recovering') this.step(now);
      this.onAction(classifyEvent(ev), now, 'idTag' in ev ? ev.idTag : undefined, 'reason' in ev ? ev.reason : undefined, 'report' in ev && ev.report === 'status');
    });
  }

  /** A setpoint from the load limiter: while it is 0 A the station withholds power (held time, not parking). */
  handleSetpoint(currentA: number, now: Now): void {
    const s = this.session;
    if (s && s.phase !== 'recovering') this.step(now);
    this.heldBySetpoint = currentA <= 0;
    if (s) s.heldBySetpoint = this.heldBySetpoint;
  }

  /** Record meter health: a meter that is not ok during an open session is flagged (meter_stale, …). */
  handleHealth(h: MeterHealth, now: Now): void {
    this.meterHealth = h.state;
    const s = this.session;
    if (!s || h.state === 'ok') return;
    this.tracked(() => {
      if (s.phase !== 'recovering') this.step(now);
      addFlag(s, `meter_${h.state}`);
    });
  }

  /** Let time pass: closes a stop that waited too long for its end reading, ends recovery waits. */
  tick(now: Now): void {
    const s = this.session;
    if (!s) return;
    this.tracked(() => {
      if (s.phase === 'recovering' && s.recovery) s.recovery.sinceMonoMs ??= now.monoMs;
      else this.step(now);
      if (s.phase === 'closing' && s.stop?.sinceMonoMs != null) {
        const limit = s.stop.monoMs === null ? Math.max(this.cfg.closeTimeoutMs, this.cfg.recoveryWaitMs) : this.cfg.closeTimeoutMs;
        if (now.monoMs - s.stop.sinceMonoMs >= limit) {
          if (s.lastReading) addFlag(s, 'end_reading_stale');
          this.finish(s.stop.reason);
        }
      } else if (s.phase === 'recovering' && s.recovery?.sinceMonoMs != null && now.monoMs - s.recovery.sinceMonoMs >= this.cfg.recoveryWaitMs) {
        this.closeRecovered();
      }
    });
  }

  /**
   * Take over an open session from a checkpoint. Same boot id: a redeploy, resumed as is. Otherwise the controller
   * restarted: with recoveryPolicy 'resume' the session waits for the charger's state report; with 'close' (or when
   * it was already stopping) it is closed at once at its last checkpointed reading, the last one known to be its own.
   */
  restore(s: OpenSession, savedBootId: string): void {
    this.session = s;
    this.lastReading = s.lastReading;
    this.plugged = true;
    if (savedBootId === this.deps.bootId) return;
    // The monotonic clock and the meter's seq restarted with the process: use the wall clock once, accept any seq.
    s.stepMonoMs = null;
    s.lastReadingMonoValid = false;
    this.acceptAnySeq = true;
    this.lastReadingThisRun = false;
    this.dirty = true;
    if (s.phase === 'closing' && s.stop) {
      // The stop was seen, its end reading was not; the reason stays a flag: a recovered record never claims 'ev'.
      addFlag(s, 'recovered:restart');
      addFlag(s, `stop_reported:${s.stop.reason}`);
      this.closeAtCheckpoint(s, 'unknown');
    } else if (this.cfg.recoveryPolicy === 'close') {
      this.closeAtCheckpoint(s, 'power_loss');
    } else {
      s.phase = 'recovering';
      s.recovery = { sinceMonoMs: null, readingSeen: false };
    }
  }

  /** Take over the last register seen with no session open (from its checkpoint); a restart leaves a gap to account for. */
  restoreReading(ref: ReadingRef, savedBootId: string): void {
    if (this.lastReading) return;
    this.lastReading = ref;
    if (savedBootId === this.deps.bootId) return;
    this.acceptAnySeq = true;
    this.lastReadingThisRun = false;
    this.gapFrom = ref;
  }

  private onAction(a: EventAction, now: Now, idTag?: string, reason?: StopReason, isReport = false): void {
    const s = this.session;
    if (a.kind === 'authorize') {
      // A recovering session keeps its driver; another idTag waits for the session that follows.
      if (s && s.phase !== 'recovering' && idTag !== undefined) s.idTag = idTag;
      else if (idTag !== undefined && idTag !== s?.idTag) this.pendingIdTag = idTag;
      return;
    }
    if (a.kind === 'unplug' || a.kind === 'plug' || a.kind === 'cp_b') this.needB = false;
    if (a.kind === 'unplug') this.plugged = false;
    if (s?.phase === 'recovering') {
      // Occupied (B, C, D, E, F or an explicit state) by the same driver: the session goes on; anything else closes it.
      const occupied = a.kind === 'state' || a.kind === 'cp_b';
      const charging = a.kind === 'state' && a.state === 'charging';
      if (occupied && sameDriver(s.idTag, idTag, isReport, charging)) this.resume(s, now);
      else {
        if (idTag !== undefined) this.pendingIdTag = idTag;
        this.closeRecovered();
        this.onAction(a, now, idTag, reason);
        return;
      }
    }
    if (s?.phase === 'open' && s.flags.includes('started_unobserved')) {
      // Opened from meter evidence alone: a new EV (plug, or B after an unplug) ends it; a report names its driver.
      if (a.kind === 'plug' || (a.kind === 'cp_b' && !this.plugged)) this.beginClose(s, 'unknown', now);
      else if (idTag !== undefined && s.idTag === undefined) s.idTag = idTag;
    }
    if (s?.phase === 'closing') {
      if (a.kind === 'plug' || (a.kind === 'state' && a.state === 'charging' && a.opens && !(a.cp && this.needB))) this.pendingAfterClose = a.kind === 'plug' ? 'plugged' : 'charging';
      if (a.kind === 'unplug') this.pendingAfterClose = null;
      if (a.kind === 'cp_b' && !this.plugged) this.pendingAfterClose = 'plugged'; // unplugged, then a new EV
      return;
    }
    if (!s && idTag !== undefined && (a.kind === 'state' || a.kind === 'cp_b')) this.pendingIdTag = idTag;
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

  private open(now: Now, state: ChargeState, opt: { start?: ReadingRef; unobserved?: boolean } = {}): void {
    // Why: a session opened from meter evidence says nothing about a plug; a later B after an unplug is a new EV.
    if (!opt.unobserved) this.plugged = true;
    const id = sessionId(this.cfg.stationId, this.cfg.chargerId, this.connector.connectorId, now.wallMs, this.deps.randomSuffix());
    // Across a restart the last known reading is not this session's start: that step is unattributed.
    const start = opt.start ?? (this.gapFrom ? undefined : this.lastReading);
    const s = newOpenSession({ id, connector: this.connector, state, now, periodMs: this.clock.periodMs, start, unobserved: opt.unobserved, heldBySetpoint: this.heldBySetpoint, idTag: this.pendingIdTag });
    this.pendingIdTag = undefined;
    this.session = s;
    this.outputs.push({ type: 'started', snapshot: snapshot(this.cfg, s) });
  }

  private beginClose(s: OpenSession, reason: StopReason, now: Now): void {
    s.phase = 'closing';
    s.stop = { reason, wallMs: now.wallMs, monoMs: now.monoMs, sinceMonoMs: now.monoMs };
  }

  /** Resume a recovering session: the readings kept aside during the wait become its own. */
  private resume(s: OpenSession, now: Now): void {
    const rec = s.recovery;
    s.phase = 'open';
    delete s.recovery;
    addFlag(s, 'recovered:resumed');
    const kept = [rec?.first, rec?.last].filter((r): r is ReadingRef => r !== undefined);
    if (kept.length === 2 && kept[0].seq === kept[1].seq && kept[0].timeMs === kept[1].timeMs) kept.pop();
    for (const r of kept) this.applyToSession(s, r, false);
    this.step(now);
  }

  /** Close a recovering session at its checkpoint; the readings kept aside are then taken as if no session was open. */
  private closeRecovered(): void {
    const s = this.session as OpenSession;
    const rec = s.recovery;
    this.closeAtCheckpoint(s, 'power_loss');
    let replay = [rec?.first, rec?.last];
    if (!s.lastReading && rec?.first) {
      // A session without any reading: the step up to the first kept reading was already accounted when it arrived.
      this.lastReading = rec.first;
      replay = [rec.last];
    }
    for (const r of replay) if (r && (r.seq !== this.lastReading?.seq || r.timeMs !== this.lastReading.timeMs)) this.take(r, false);
  }

  /** After a restart: close at the last checkpointed reading; the step from it to the next reading is unattributed. */
  private closeAtCheckpoint(s: OpenSession, reason: StopReason): void {
    delete s.recovery;
    s.phase = 'closing';
    if (reason === 'power_loss') addFlag(s, 'recovered:power_loss');
    this.pendingAfterClose = null;
    this.plugged = false;
    this.finish(reason);
    if (!s.lastReading) return; // no reading of its own: what the connector knew before stays the reference
    this.lastReading = s.lastReading;
    this.gapFrom = s.lastReading;
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

// All connectors of one charger: routes readings by meter id and events by connector id, and decides checkpoints.
import type { MeterHealth, MeterReading, Session } from '../types';
import { CHECKPOINT_VERSION, lastReadingKey, parseCheckpoint, type Checkpoint, type FinishedCheckpoint, type LastReadingCheckpoint, type OpenCheckpoint } from './checkpoint';
import { shouldCheckpoint } from './checkpoint-policy';
import type { ConnectorConfig, SessionConfig } from './config';
import type { ChargerEvent } from './events';
import type { SessionSnapshot } from './finish';
import { ConnectorMachine, type MachineDeps, type MachineOutput, type Now, type ReadingVerdict } from './machine';

/** A checkpoint to write (save) or a finished session to re-emit. */
export interface CheckpointWrite {
  sessionId: string;
  state: Checkpoint;
}

/** What recovery found in the store for this charger. */
export interface RecoveryReport {
  restored: string[];
  reemit: Session[];
  ignored: Array<{ sessionId: string; error: string }>;
}

/** The session machines of one charger. */
export class ChargerSessions {
  /** Machines by connector id. */
  readonly connectors = new Map<string, ConnectorMachine>();
  private readonly byMeter = new Map<string, ConnectorMachine>();
  private readonly lastSaved = new Map<string, number>();
  /** Register last saved in each idle connector's last-reading checkpoint, Wh. */
  private readonly idleSavedWh = new Map<string, number>();

  constructor(readonly cfg: SessionConfig, connectors: ConnectorConfig[], private readonly deps: MachineDeps, private readonly checkpointIntervalMs: number) {
    for (const c of connectors) {
      const m = new ConnectorMachine(cfg, c, deps);
      this.connectors.set(c.connectorId, m);
      this.byMeter.set(c.meterId, m);
    }
  }

  /** The machine for a meter id, if any connector uses it. */
  forMeter(meterId: string): ConnectorMachine | undefined {
    return this.byMeter.get(meterId);
  }

  /** Route a reading by meter id; null if no connector uses this meter. */
  handleReading(meterId: string, r: MeterReading): ReadingVerdict | null {
    const m = this.byMeter.get(meterId);
    return m ? m.handleReading(r) : null;
  }

  /** Route a charger event by connector id; throws for an unknown connector. */
  handleEvent(ev: ChargerEvent, now: Now): void {
    const m = this.connectors.get(ev.connectorId);
    if (!m) throw new Error(`charger event for unknown connector ${ev.connectorId} (configured: ${[...this.connectors.keys()].join(', ')})`);
    m.handleEvent(ev, now);
  }

  /** Route a health report by meter id; false if no connector uses the meter. */
  handleHealth(meterId: string, h: MeterHealth, now: Now): boolean {
    const m = this.byMeter.get(meterId);
    if (m) m.handleHealth(h, now);
    return Boolean(m);
  }

  /** Route a setpoint (from the load node) by connector id; false for a connector of another charger. */
  handleSetpoint(connectorId: string, currentA: number, now: Now): boolean {
    const m = this.connectors.get(connectorId);
    if (m) m.handleSetpoint(currentA, now);
    return Boolean(m);
  }

  /** Let time pass on every connector. */
  tick(now: Now): void {
    for (const m of this.connectors.values()) m.tick(now);
  }

  /** Outputs of all connectors since the last drain. */
  drain(): Array<MachineOutput & { connectorId: string }> {
    const out: Array<MachineOutput & { connectorId: string }> = [];
    for (const [connectorId, m] of this.connectors) for (const o of m.drain()) out.push({ ...o, connectorId });
    return out;
  }

  /** Snapshots of every open session (for 'updated' events and status). */
  snapshots(): SessionSnapshot[] {
    return [...this.connectors.values()].map((m) => m.snapshot()).filter((s): s is SessionSnapshot => s !== null);
  }

  /** The open sessions' snapshots with `soFar`, for 'updated' events. */
  updates(): SessionSnapshot[] {
    return [...this.connectors.values()].map((m) => m.update()).filter((s): s is SessionSnapshot => s !== null);
  }

  /** Checkpoints due now per the policy (state change, or the charging interval); marks them saved. */
  checkpointsDue(now: Now, savedAtMs: number): CheckpointWrite[] {
    const out: CheckpointWrite[] = [];
    for (const m of this.connectors.values()) {
      const s = m.session;
      const due = s && shouldCheckpoint({ dirty: m.dirty, charging: s.phase === 'open' && s.state === 'charging', lastSavedMonoMs: this.lastSaved.get(s.id) ?? null, nowMonoMs: now.monoMs, intervalMs: this.checkpointIntervalMs });
      m.dirty = false;
      const r = m.lastReading;
      // Why: with no session reading to restart from, the register is remembered (only when it moved), so that a restart can see the gap.
      if (!s?.lastReading && r && this.idleSavedWh.get(m.connector.connectorId) !== r.energyWh) {
        this.idleSavedWh.set(m.connector.connectorId, r.energyWh);
        out.push(this.lastReadingCheckpoint(m.connector.connectorId, r, savedAtMs));
      }
      if (!s || !due) continue;
      this.lastSaved.set(s.id, now.monoMs);
      out.push({ sessionId: s.id, state: this.openCheckpoint(m, savedAtMs) });
    }
    return out;
  }

  /** A checkpoint write failed (disk full): write it again at the next chance instead of taking it as saved. */
  saveFailed(key: string): void {
    this.lastSaved.delete(key);
    for (const m of this.connectors.values()) if (m.session?.id === key) m.dirty = true;
    if (key.startsWith('~last-reading:')) this.idleSavedWh.clear();
  }

  /** The checkpoint of every open session, regardless of policy (on close/redeploy). */
  allOpenCheckpoints(savedAtMs: number): CheckpointWrite[] {
    return [...this.connectors.values()].filter((m) => m.session).map((m) => ({ sessionId: m.session!.id, state: this.openCheckpoint(m, savedAtMs) }));
  }

  /** The checkpoint that keeps a finished session until the ledger has it. */
  finishedCheckpoint(connectorId: string, session: Session): CheckpointWrite {
    const state: FinishedCheckpoint = { v: CHECKPOINT_VERSION, kind: 'finished', stationId: this.cfg.stationId, chargerId: this.cfg.chargerId, connectorId, session };
    this.lastSaved.delete(session.id);
    return { sessionId: session.id, state };
  }

  /**
   * Take over this charger's checkpoints after a (re)start: open sessions are restored (a power loss
   * unless written by this same process), finished ones are returned for re-emission. Checkpoints of
   * other chargers are left alone; unreadable ones are reported, never deleted.
   */
  recover(entries: Array<{ sessionId: string; state: unknown }>): RecoveryReport {
    const report: RecoveryReport = { restored: [], reemit: [], ignored: [] };
    const lastReadings: LastReadingCheckpoint[] = [];
    for (const e of entries) {
      let ck: Checkpoint;
      try {
        ck = parseCheckpoint(e.state);
      } catch (err) {
        report.ignored.push({ sessionId: e.sessionId, error: (err as Error).message });
        continue;
      }
      if (ck.stationId !== this.cfg.stationId || ck.chargerId !== this.cfg.chargerId) continue;
      const m = this.connectors.get(ck.connectorId);
      if (!m) {
        report.ignored.push({ sessionId: e.sessionId, error: `connector ${ck.connectorId} is not configured` });
        continue;
      }
      if (ck.kind === 'last_reading') {
        lastReadings.push(ck);
      } else if (ck.kind === 'finished') {
        report.reemit.push(ck.session);
      } else if (m.session) {
        report.ignored.push({ sessionId: e.sessionId, error: `connector ${ck.connectorId} already has session ${m.session.id}` });
      } else {
        m.restore(ck.session, ck.bootId);
        report.restored.push(ck.session.id);
      }
    }
    // An open session's checkpoint is newer than its connector's last idle register: that one only counts without it.
    for (const ck of lastReadings) {
      const m = this.connectors.get(ck.connectorId)!;
      m.restoreReading(ck.reading, ck.bootId);
      this.idleSavedWh.set(ck.connectorId, ck.reading.energyWh);
    }
    return report;
  }

  private lastReadingCheckpoint(connectorId: string, reading: LastReadingCheckpoint['reading'], savedAtMs: number): CheckpointWrite {
    const state: LastReadingCheckpoint = { v: CHECKPOINT_VERSION, kind: 'last_reading', bootId: this.deps.bootId, stationId: this.cfg.stationId, chargerId: this.cfg.chargerId, connectorId, savedAtMs, reading };
    return { sessionId: lastReadingKey(this.cfg.stationId, this.cfg.chargerId, connectorId), state };
  }

  private openCheckpoint(m: ConnectorMachine, savedAtMs: number): OpenCheckpoint {
    const s = m.session!;
    return { v: CHECKPOINT_VERSION, kind: 'open', bootId: this.deps.bootId, stationId: this.cfg.stationId, chargerId: this.cfg.chargerId, connectorId: s.connectorId, savedAtMs, session: s };
  }
}

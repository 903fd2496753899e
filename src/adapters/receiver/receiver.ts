// Reference receiver for the backend: takes records from `<prefix>/+/sessions` (optionally via an
// MQTT 5 shared subscription), verifies signature and chain per station, appends them to a JSONL
// file per station, fsyncs, and only then acks `{"ack":[ids]}` on `<prefix>/<stationId>/acks`.
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { formatAck, MAX_ACK_IDS } from '../../core/sync/ack';
import type { AckSigner } from '../crypto/ack-keys';
import { acksTopic, checkPrefix, sessionsSubscription, stationOfSessionsTopic } from '../../core/sync/topics';
import { tlsOptions, type TlsPaths } from '../mqtt/tls';
import { JsonlStore } from './jsonl-store';
import { DEFAULT_REORDER_WINDOW_MS, StationState, type Classified } from './station-state';
import type { RecordVerifier } from './verifier';

/** Receiver settings. */
export interface ReceiverOptions extends TlsPaths {
  brokerUrl: string;
  /** Topic prefix, default "chargeledger". */
  prefix?: string;
  /** Shared-subscription group (MQTT 5 `$share/<group>/…`); absent = plain subscription. */
  share?: string;
  /** Client id; unique per receiver process (two receivers with one id throw each other off the broker). */
  clientId?: string;
  /**
   * MQTT 5 session expiry, s. Default 24 h alone, 60 s in a share group: why short there — a dead
   * member's session keeps taking its share of every station's records until it expires, and
   * stations resend anything unacked, so nothing is lost by letting it go.
   */
  sessionExpiryS?: number;
  username?: string;
  password?: string;
  /** Directory of the per-station JSONL files. */
  outDir: string;
  /** Per-record check (signature, hash, key): normally keyVerifier(keys). */
  verify: RecordVerifier;
  /**
   * How long a record arriving ahead of a gap is held back (not stored, not acked) waiting for
   * the gap to fill, ms, counted from when the chain last grew (a backlog arriving in order
   * keeps it waiting). Default DEFAULT_REORDER_WINDOW_MS (60 s, twice the station's ack timeout)
   * without a share group, 0 with one (each member of a group sees only part of every station's
   * records, so it cannot wait for the rest).
   */
  reorderWindowMs?: number;
  /** Signs every ack with the backend's key; stations holding its public half accept nothing else. Absent: unsigned acks. */
  ackSigner?: AckSigner;
  /** Fault-injection points for tests: throwing from one simulates a crash at that point. */
  hooks?: { beforeStore?: (ids: string[]) => void; beforeAck?: (ids: string[]) => void };
}

/** Session expiry of a receiver in a share group, s. */
export const DEFAULT_SHARED_SESSION_EXPIRY_S = 60;

/** A client id unique to this receiver process: host, pid and a random part. */
export function defaultReceiverClientId(share?: string): string {
  return `chargeledger-receiver-${share ? `${share}-` : ''}${hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** One thing the receiver noticed, as emitted on 'report'. */
export interface ReceiverReport {
  type: 'stored' | 'duplicate' | 'gap' | 'reordered' | 'chain' | 'rejected' | 'malformed';
  stationId: string | null;
  id: string | null;
  seq: number | null;
  message?: string;
}

/** Running totals. */
export interface ReceiverStats {
  stored: number;
  duplicates: number;
  rejected: number;
  gaps: number;
  malformed: number;
}

/**
 * Events: 'report' (ReceiverReport), 'connect', 'acked' (stationId, ids), 'crash' (Error), 'error'.
 * Usable as a library: construct, start(), listen to 'report', close().
 */
export class Receiver extends EventEmitter {
  readonly stats: ReceiverStats = { stored: 0, duplicates: 0, rejected: 0, gaps: 0, malformed: 0 };
  private client: MqttClient | null = null;
  private readonly store: JsonlStore;
  private readonly stations = new Map<string, StationState>();
  private queue: Array<{ topic: string; payload: Buffer }> = [];
  private flushing: Promise<void> | null = null;
  private dead = false;
  private readonly prefix: string;
  private readonly holdMs: number;
  private tick: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ReceiverOptions) {
    super();
    this.prefix = checkPrefix(opts.prefix ?? 'chargeledger');
    this.store = new JsonlStore(opts.outDir);
    this.holdMs = opts.reorderWindowMs ?? (opts.share ? 0 : DEFAULT_REORDER_WINDOW_MS);
  }

  /** Connect and subscribe; resolves on the first connection. */
  start(): Promise<void> {
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId ?? defaultReceiverClientId(o.share),
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: o.sessionExpiryS ?? (o.share ? DEFAULT_SHARED_SESSION_EXPIRY_S : 24 * 3600) },
      reconnectPeriod: 1000,
      ...tlsOptions(o),
    };
    if (o.username) options.username = o.username;
    if (o.password) options.password = o.password;
    const client = (this.client = mqtt.connect(o.brokerUrl, options));
    if (this.holdMs > 0) {
      this.tick = setInterval(() => this.kickFlush(), Math.min(1000, this.holdMs));
      this.tick.unref?.();
    }
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    let fallback = false;
    client.on('error', (err: Error & { code?: number }) => {
      // A 3.1.1-only broker (aedes): fall back; mqtt.js ends the client on a refused CONNACK.
      if (client.options.protocolVersion === 5 && (err.code === 1 || err.code === 132)) {
        client.options.protocolVersion = 4;
        delete client.options.properties;
        fallback = true;
        return;
      }
      this.emit('error', err);
    });
    client.on('close', () => {
      if (fallback && !this.dead) {
        fallback = false;
        setImmediate(() => client.reconnect());
      }
    });
    return new Promise((resolve) => {
      client.on('connect', () => {
        // Always subscribe again, even when the broker says the session is present: mosquitto 2.0
        // restores a persistent session after a restart without its shared subscriptions.
        const subscription = { [sessionsSubscription(this.prefix, o.share)]: { qos: 1 as const }, resubscribe: true } as ISubscriptionMap;
        client.subscribe(subscription, (err) => {
          if (err) this.emit('error', err);
          this.emit('connect');
          resolve();
        });
      });
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (this.dead) return;
    this.queue.push({ topic, payload });
    this.kickFlush();
  }

  private kickFlush(): void {
    if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
  }

  /** Handle everything queued as one group commit: store + fsync per station, then ack. */
  private async flush(): Promise<void> {
    let first = true;
    while ((first || this.queue.length > 0) && !this.dead) {
      first = false;
      const batch = this.queue;
      this.queue = [];
      const perStation = new Map<string, { lines: string[]; rejected: string[]; ack: string[] }>();
      const reports: ReceiverReport[] = [];
      const take = (station: string, c: Classified): void => {
        reports.push(...c.reports);
        const slot = perStation.get(station) ?? { lines: [], rejected: [], ack: [] };
        perStation.set(station, slot);
        if (c.kind === 'store') slot.lines.push(c.line);
        if (c.kind === 'reject') slot.rejected.push(c.line);
        if (c.ackId) slot.ack.push(c.ackId);
        this.count(c);
      };
      const now = Date.now();
      for (const m of batch) {
        const station = stationOfSessionsTopic(this.prefix, m.topic);
        if (!station) continue;
        take(station, this.state(station).classify(m.payload, station, this.opts.verify, now, this.holdMs));
      }
      if (this.holdMs > 0) for (const [station, s] of this.stations) for (const c of s.release(now, this.holdMs)) take(station, c);
      if (perStation.size === 0) continue;
      try {
        const allIds = [...perStation.values()].flatMap((s) => s.ack);
        this.opts.hooks?.beforeStore?.(allIds);
        for (const [station, s] of perStation) {
          this.store.append(station, 'records', s.lines);
          this.store.append(station, 'rejected', s.rejected);
        }
        // Durable now; only from here may the station forget these records.
        this.opts.hooks?.beforeAck?.(allIds);
      } catch (e) {
        this.crash(e as Error);
        return;
      }
      for (const [station, s] of perStation) {
        for (let i = 0; i < s.ack.length; i += MAX_ACK_IDS) {
          const ids = s.ack.slice(i, i + MAX_ACK_IDS);
          this.client?.publish(acksTopic(this.prefix, station), formatAck(ids, this.opts.ackSigner?.(station, ids)), { qos: 1 }, (err) => (err ? this.emit('error', err) : this.emit('acked', station, ids)));
        }
      }
      for (const r of reports) this.emit('report', r);
    }
    this.flushing = null;
  }

  private count(c: Classified): void {
    for (const r of c.reports) {
      if (r.type === 'stored') this.stats.stored++;
      else if (r.type === 'duplicate') this.stats.duplicates++;
      else if (r.type === 'rejected') this.stats.rejected++;
      else if (r.type === 'gap') this.stats.gaps++;
      else if (r.type === 'malformed') this.stats.malformed++;
    }
  }

  private state(stationId: string): StationState {
    let s = this.stations.get(stationId);
    if (!s) {
      s = StationState.load(this.store, stationId);
      this.stations.set(stationId, s);
    }
    return s;
  }

  /** Stop abruptly, as a crash would: nothing more is stored or acked (tests, fatal errors). */
  private crash(err: Error): void {
    this.dead = true;
    if (this.tick) clearInterval(this.tick);
    this.queue = [];
    this.client?.end(true);
    this.store.close();
    this.flushing = null;
    this.emit('crash', err);
  }

  /** Finish the batch in hand, then disconnect. */
  async close(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.flushing) await this.flushing;
    this.dead = true;
    const client = this.client;
    this.client = null;
    // A receiver leaving for good must not keep a persistent session in a share group: the broker
    // would go on queueing its share of records there. The stations resend anything unacked anyway.
    const bye = client?.options.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0 } } : {};
    if (client) await Promise.race([new Promise<void>((r) => client.end(false, bye, () => r())), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
    this.store.close();
  }
}

// One MQTT connection per station: MQTT 5 with fallback to 3.1.1, a persistent session under a
// stable client id, retained birth/will status, TLS, and reconnection with backoff and jitter.
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../../core/sync/backoff';
import { birthPayload, willPayload } from '../../core/sync/status';
import { stationTopics, type StationTopics } from '../../core/sync/topics';
import { tlsOptions, type TlsPaths } from './tls';

/** Connection settings of one station's uplink. */
export interface UplinkOptions extends TlsPaths {
  /** mqtt://host:1883, mqtts://host:8883, ws(s)://… */
  brokerUrl: string;
  stationId: string;
  /** Topic prefix, default "chargeledger". */
  prefix: string;
  /** Stable client id: the broker keeps the persistent session (queued acks) under it. */
  clientId: string;
  username?: string;
  password?: string;
  /** Station software version for the birth message. */
  version: string;
  /** Keepalive, s. */
  keepaliveS?: number;
  /** How long the broker keeps the session while we are away (MQTT 5), s. */
  sessionExpiryS?: number;
  backoff?: BackoffOptions;
  /** Start with MQTT 5 (default) or go straight to 3.1.1. */
  protocolVersion?: 5 | 4;
  /** Randomness for jitter (tests). */
  random?: () => number;
}

/** Message handler for a subscribed topic. */
export type MessageHandler = (payload: Buffer, topic: string) => void;

/** Errors by which a broker says it does not speak the requested protocol version. */
const UNSUPPORTED_PROTOCOL = new Set([1, 132]);

/** Why a connection that was up went down. */
export interface UplinkDisconnect {
  /** The broker's DISCONNECT reason, the socket error, or that the broker closed the connection without one. */
  reason: string;
}

/**
 * The uplink connection. Events: 'connect' (protocolVersion), 'disconnect' (UplinkDisconnect,
 * once per lost connection, not per failed retry, never on close()), 'offline', 'error' (Error).
 * Never buffers publications while offline: publish() rejects, and callers keep data durable.
 */
export class UplinkClient extends EventEmitter {
  readonly topics: StationTopics;
  private client: MqttClient | null = null;
  private readonly backoff: Backoff;
  private readonly subs = new Map<string, { qos: 0 | 1; handler: MessageHandler }>();
  private backlog: () => Promise<number> = async () => 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private protocol: 5 | 4;
  private fallbackPending = false;
  /** Whether the connection was up since the last 'disconnect' was told. */
  private up = false;
  /** Why the current connection is going down, as first seen (DISCONNECT packet or socket error). */
  private downReason: string | null = null;

  constructor(private readonly opts: UplinkOptions) {
    super();
    this.topics = stationTopics(opts.prefix, opts.stationId);
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF, opts.random);
    this.protocol = opts.protocolVersion ?? 5;
  }

  /** Whether a connection is up now. */
  get connected(): boolean {
    return Boolean(this.client?.connected);
  }

  /** The protocol version of the current / last connection. */
  get protocolVersion(): 5 | 4 {
    return this.protocol;
  }

  /** Where the birth message's backlog figure comes from (the sync node's outbox). */
  setBacklogProvider(fn: () => Promise<number>): void {
    this.backlog = fn;
  }

  /** Subscribe (now and after every reconnection). */
  subscribe(topic: string, qos: 0 | 1, handler: MessageHandler): void {
    this.subs.set(topic, { qos, handler });
    if (this.client?.connected) this.client.subscribe(topic, { qos }, (err) => err && this.emit('error', err));
  }

  /** Stop receiving a topic. */
  unsubscribe(topic: string): void {
    if (this.subs.delete(topic) && this.client?.connected) this.client.unsubscribe(topic);
  }

  /** Start connecting; reconnects by itself until close(). */
  start(): void {
    if (this.client || this.closed) return;
    this.client = mqtt.connect(this.opts.brokerUrl, this.clientOptions());
    this.client.on('connect', (connack) => void this.onConnect(Boolean(connack.sessionPresent)));
    this.client.on('message', (topic, payload) => this.subs.get(topic)?.handler(payload, topic));
    this.client.on('error', (err) => this.onError(err as Error & { code?: number | string }));
    this.client.on('disconnect', (packet) => {
      this.downReason ??= `broker sent DISCONNECT${packet.reasonCode !== undefined ? ` (reason code ${packet.reasonCode})` : ''}${packet.properties?.reasonString ? `: ${packet.properties.reasonString}` : ''}`;
    });
    this.client.on('close', () => this.onClose());
  }

  private clientOptions(): IClientOptions {
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: this.protocol,
      keepalive: o.keepaliveS ?? 30,
      // We reconnect ourselves, with backoff and jitter.
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: Buffer.from(willPayload()), qos: 1, retain: true },
      ...tlsOptions(o),
    };
    // No MQTT 5 maximumPacketSize: mosquitto 2.0.11 (Debian 12) drops a larger QoS 1 message but keeps it
    // in the client's in-flight window, so max_inflight_messages oversized acks would block every later
    // ack for good. Large messages are refused after receipt instead (AckGuard, config size limit).
    if (this.protocol === 5) options.properties = { sessionExpiryInterval: o.sessionExpiryS ?? 7 * 24 * 3600 };
    if (o.username) options.username = o.username;
    if (o.password) options.password = o.password;
    return options;
  }

  private async onConnect(sessionPresent: boolean): Promise<void> {
    this.backoff.reset();
    this.up = true;
    this.downReason = null;
    const client = this.client!;
    // Subscribe again even when the session is present: a restarted broker may have lost it.
    for (const [topic, s] of this.subs) client.subscribe({ [topic]: { qos: s.qos }, resubscribe: true } as ISubscriptionMap, (err) => err && this.emit('error', err));
    try {
      const backlog = await this.backlog();
      await this.publish(this.topics.status, birthPayload(this.opts.version, backlog, Date.now()), { qos: 1, retain: true });
    } catch (e) {
      this.emit('error', e as Error);
    }
    this.emit('connect', { protocolVersion: this.protocol, sessionPresent });
  }

  private onError(err: Error & { code?: number | string }): void {
    if (this.protocol === 5 && typeof err.code === 'number' && UNSUPPORTED_PROTOCOL.has(err.code)) {
      // The broker speaks only 3.1.1: reconnect at once with that.
      this.protocol = 4;
      this.client!.options.protocolVersion = 4;
      delete this.client!.options.properties;
      this.fallbackPending = true;
      return;
    }
    if (this.up) this.downReason ??= err.message;
    this.emit('error', err);
  }

  private onClose(): void {
    // Why only on a transition: while the broker is away every retry closes again; one
    // disconnection is one event, told with the first reason seen.
    if (this.up && !this.closed) {
      this.up = false;
      this.emit('disconnect', { reason: this.downReason ?? 'the broker closed the connection without a reason' } satisfies UplinkDisconnect);
    }
    this.downReason = null;
    this.emit('offline');
    if (this.closed || this.timer) return;
    const delay = this.fallbackPending ? 0 : this.backoff.next();
    this.fallbackPending = false;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.client?.reconnect();
    }, delay);
  }

  /** Publish; resolves on PUBACK (QoS 1) or when written (QoS 0); rejects when offline. */
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('uplink offline'));
    return new Promise((resolve, reject) => client.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve())));
  }

  /** Say "offline" (retained) if connected, then disconnect for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await Promise.race([this.publish(this.topics.status, willPayload(), { qos: 1, retain: true }).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }
    // A graceful end waits for in-flight packets; a dead broker would hold it forever.
    await Promise.race([new Promise<void>((resolve) => client.end(false, {}, () => resolve())), new Promise((r) => setTimeout(r, 2000))]);
    if (!client.disconnected) await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    client.removeAllListeners();
    // A connection attempt still under way may fail after this; that must not become an uncaught error.
    client.on('error', () => undefined);
    this.client = null;
  }
}

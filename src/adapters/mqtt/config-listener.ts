// Downstream configuration: `<prefix>/<stationId>/config/{tariffs,limits}` → checked envelope,
// schema-valid payload that the consumers' own decoders take, newer version → applied by every
// consumer → persisted atomically → `accepted`; the result goes to `<prefix>/<stationId>/config/result`.
// Anything invalid or refused changes nothing and is `rejected` with every reason.
import { EventEmitter } from 'node:events';
import { checkEnvelope, DEFAULT_MAX_CONFIG_BYTES, formatConfigResult, type ConfigResult } from '../../core/sync/config-envelope';
import type { ConfigKind, StationTopics } from '../../core/sync/topics';
import type { ConfigStore } from './config-store';
import type { PayloadValidator } from './config-schemas';

/** What the listener needs of the connection (UplinkClient implements it). */
export interface ConfigLink {
  readonly topics: StationTopics;
  subscribe(topic: string, qos: 0 | 1, handler: (payload: Buffer) => void): void;
  unsubscribe(topic: string): void;
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
}

/** An accepted configuration, as emitted on 'config'. */
export interface AcceptedConfig {
  kind: ConfigKind;
  version: number;
  payload: Record<string, unknown>;
}

/**
 * Hands a checked config to its consumers and resolves with their refusals (empty: every
 * consumer applied it). Absent: nothing applies configs, and every update is rejected.
 */
export type ConfigApplier = (c: AcceptedConfig) => Promise<string[]>;

/** Listener settings. */
export interface ConfigListenerOptions {
  stationId: string;
  store: ConfigStore;
  /** Per kind: the JSON Schema check, then the same typed decoder the consumer runs. */
  validators: Record<ConfigKind, PayloadValidator>;
  /** Applies a checked config in the consumers. */
  apply?: ConfigApplier;
  /** Backend key signature check (signed resets). */
  verify?: (signedText: string, sigBase64: string) => boolean;
  /** Largest config message, bytes. */
  maxBytes?: number;
  now?: () => number;
}

/** Events: 'result' (ConfigResult), 'error' (Error). */
export class ConfigListener extends EventEmitter {
  private chain: Promise<void> = Promise.resolve();
  private readonly kinds: ConfigKind[] = ['tariffs', 'limits'];

  constructor(private readonly link: ConfigLink, private readonly opts: ConfigListenerOptions) {
    super();
  }

  /** Subscribe to both config topics (QoS 1). */
  start(): void {
    for (const kind of this.kinds) this.link.subscribe(this.link.topics.config[kind], 1, (payload) => this.enqueue(kind, payload));
  }

  /** Unsubscribe and wait for the message in hand. */
  async stop(): Promise<void> {
    for (const kind of this.kinds) this.link.unsubscribe(this.link.topics.config[kind]);
    await this.chain;
  }

  /** Handle one raw message (also the entry point for tests); messages are handled one at a time. */
  enqueue(kind: ConfigKind, payload: Buffer | string): Promise<ConfigResult> {
    const run = this.chain.then(() => this.handle(kind, payload));
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async handle(kind: ConfigKind, raw: Buffer | string): Promise<ConfigResult> {
    let result: ConfigResult;
    try {
      result = await this.apply(kind, raw);
    } catch (e) {
      result = { result: 'rejected', config: kind, version: null, reason: `not stored: ${(e as Error).message}` };
    }
    try {
      result.inForce = this.opts.store.current(kind)?.version ?? null;
    } catch {
      result.inForce = null;
    }
    this.emit('result', result);
    await this.link.publish(this.link.topics.configResult, formatConfigResult(result), { qos: 1 }).catch((e) => this.emit('error', e));
    return result;
  }

  private async apply(kind: ConfigKind, raw: Buffer | string): Promise<ConfigResult> {
    const store = this.opts.store;
    const current = store.current(kind);
    const nowMs = (this.opts.now ?? Date.now)();
    const check = checkEnvelope(raw, { stationId: this.opts.stationId, currentVersion: current?.version ?? 0, maxBytes: this.opts.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES, verify: this.opts.verify, nowMs });
    if (!check.ok) return { result: 'rejected', config: kind, version: check.version ?? null, reason: check.reason };
    const { version, payload } = check.envelope;
    // One validation decides: the schema and the consumer's own decoder, before anything is stored or applied.
    const invalid = this.opts.validators[kind](payload);
    if (invalid) return { result: 'rejected', config: kind, version, reason: invalid };
    if (!this.opts.apply) return { result: 'rejected', config: kind, version, reason: `no node applies ${kind}` };
    const refusals = await this.opts.apply({ kind, version, payload });
    if (refusals.length) return { result: 'rejected', config: kind, version, reason: refusals.join('; ') };
    // Stored once in force: after a restart the station runs with what it reported accepted.
    store.save(kind, { version, payload, acceptedAt: new Date(nowMs).toISOString() });
    return { result: 'accepted', config: kind, version };
  }
}

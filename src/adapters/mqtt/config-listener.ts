// Downstream configuration: `<prefix>/<stationId>/config/{tariffs,limits}` → checked envelope,
// schema-valid payload, newer version → persisted atomically → emitted; the result goes to
// `<prefix>/<stationId>/config/result`. Anything invalid changes nothing.
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

/** Listener settings. */
export interface ConfigListenerOptions {
  stationId: string;
  store: ConfigStore;
  validators: Record<ConfigKind, PayloadValidator>;
  /** Largest config message, bytes. */
  maxBytes?: number;
  now?: () => number;
}

/** Events: 'config' (AcceptedConfig), 'result' (ConfigResult), 'error' (Error). */
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
      result = this.apply(kind, raw);
    } catch (e) {
      result = { result: 'rejected', config: kind, version: null, reason: `not stored: ${(e as Error).message}` };
    }
    this.emit('result', result);
    await this.link.publish(this.link.topics.configResult, formatConfigResult(result), { qos: 1 }).catch((e) => this.emit('error', e));
    return result;
  }

  private apply(kind: ConfigKind, raw: Buffer | string): ConfigResult {
    const store = this.opts.store;
    const current = store.current(kind);
    const check = checkEnvelope(raw, { stationId: this.opts.stationId, currentVersion: current?.version ?? 0, maxBytes: this.opts.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES });
    if (!check.ok) return { result: 'rejected', config: kind, version: check.version ?? null, reason: check.reason };
    const { version, payload } = check.envelope;
    const invalid = this.opts.validators[kind](payload);
    if (invalid) return { result: 'rejected', config: kind, version, reason: invalid };
    // Persist before anyone sees it: after a restart the station must run with what it acknowledged.
    store.save(kind, { version, payload, acceptedAt: new Date((this.opts.now ?? Date.now)()).toISOString() });
    this.emit('config', { kind, version, payload } satisfies AcceptedConfig);
    return { result: 'accepted', config: kind, version };
  }
}

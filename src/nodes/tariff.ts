import { EventEmitter } from 'node:events';
import path from 'node:path';
import { readJsonFile, writeJsonFileAtomic } from '../adapters/rollups/json-file';
import { mergePriceFeed, parsePriceFeed, parseTariffConfig, versionHash, type DynamicPrices, type TariffConfig } from '../core/tariff';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef } from './lib/red';

/** What the tariff config node offers the price node. */
export interface TariffConfigNode extends Node {
  /** The config in force (editor's, or the backend's newer one), or undefined when invalid. */
  config: TariffConfig | undefined;
  /** Dynamic buy prices as last received. */
  dynamic: DynamicPrices | undefined;
  /** Why the editor's config is unusable, if it is. */
  failure: Error | undefined;
  /** Emits 'changed' (config) after a replacement and 'prices' (DynamicPrices) after a feed. */
  events: EventEmitter;
  /** Validate and apply a backend `config/tariffs` payload; returns false if its version is older. */
  replace(payload: unknown): boolean;
  /** Merge a dynamic price feed `[{start, end, priceMinorPerKWh}]` received at nowMs. */
  setPrices(payload: unknown, nowMs: number): DynamicPrices;
}

/** What the node persists: the backend override (tied to the editor config it replaced) and prices. */
interface Persisted {
  editorHash: string;
  config?: TariffConfig;
  dynamic?: DynamicPrices;
}

function parseJsonField(text: unknown, what: string): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** Registers `chargeledger-tariff`: sell tariff (OCPI 2.2.1) and buy rates, replaceable from the backend. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-tariff', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node = this as TariffConfigNode;
    node.events = new EventEmitter();
    const userDir = typeof RED.settings.userDir === 'string' ? RED.settings.userDir : process.cwd();
    const file = path.join(String(def.dataDir || path.join(userDir, 'chargeledger')), `tariff-${node.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    let editor: TariffConfig | undefined;
    try {
      editor = parseTariffConfig({ version: 0, timezone: def.timezone || undefined, sell: parseJsonField(def.sell, 'sell tariff'), buy: parseJsonField(def.buy, 'buy rates') });
    } catch (e) {
      node.failure = e as Error;
      node.error(`tariff configuration invalid: ${(e as Error).message}`);
    }
    // Why the editor hash: a backend override survives restarts and redeploys, but once the
    // operator edits the tariff in the editor, the editor's version wins again.
    const editorHash = versionHash(editor ?? null);
    let persisted: Persisted = { editorHash };
    try {
      const saved = readJsonFile<Persisted>(file);
      if (saved && saved.editorHash === editorHash) persisted = saved;
      else if (saved?.dynamic) persisted.dynamic = saved.dynamic;
    } catch (e) {
      node.warn(`ignoring unreadable tariff state ${file}: ${(e as Error).message}`);
    }
    node.config = persisted.config ?? editor;
    node.dynamic = persisted.dynamic;
    const save = (): void => writeJsonFileAtomic(file, persisted);

    node.replace = (payload: unknown): boolean => {
      const cfg = parseTariffConfig(payload);
      const held = persisted.config?.version ?? -1;
      if (cfg.version <= held) return false;
      persisted = { ...persisted, config: cfg };
      save();
      node.config = cfg;
      node.failure = undefined;
      node.events.emit('changed', cfg);
      return true;
    };

    node.setPrices = (payload: unknown, nowMs: number): DynamicPrices => {
      const merged = mergePriceFeed(node.dynamic, parsePriceFeed(payload), nowMs);
      persisted = { ...persisted, dynamic: merged };
      save();
      node.dynamic = merged;
      node.events.emit('prices', merged);
      return merged;
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      node.events.removeAllListeners();
      done();
    });
  });
}

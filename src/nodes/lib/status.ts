// Node status from the locale catalogs: a node names a key of `<type>.status` in
// nodes/locales/<lang>/<type>.json plus the figures it carries, and the text is resolved on the
// runtime side with RED._ (Node-RED's i18n, in the runtime's language). Why the runtime and not
// the editor: the editor translates a bare message id but cannot fill placeholders, and most
// statuses carry a figure (`queued: 42`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node } from './red';

/** Status texts must stay under 20 characters to fit under a node in the editor. */
const MAX_STATUS_CHARS = 19;

/** The npm package: Node-RED registers each node's catalog as namespace `<package>/<type>`. */
export const CATALOG_MODULE = 'node-red-contrib-chargeledger';

/** Placeholder values of a status text (`__count__` ← `{ count: 42 }`). */
export type StatusParams = Record<string, string | number | null | undefined>;

/** What the status helper needs of RED: its translator. */
export interface StatusRED {
  _?(key: string, params?: StatusParams): string;
}

/** Cut a status text to fit under a node. */
export function fitStatus(text: string): string {
  return text.length <= MAX_STATUS_CHARS ? text : `${text.slice(0, MAX_STATUS_CHARS - 1)}…`;
}

/** The en-US catalogs read from disk, by node type (fallback when RED._ cannot translate). */
const fallbackCatalogs = new Map<string, Record<string, unknown>>();

/** Find nodes/locales/en-US from src/nodes/lib or dist/src/nodes/lib. */
function localesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'nodes', 'locales', 'en-US');
    try {
      readFileSync(path.join(dir, 'package.json'));
      return candidate;
    } catch {
      dir = path.dirname(dir);
    }
  }
  return path.resolve(__dirname, '../../../nodes/locales/en-US');
}

function fallbackText(type: string, key: string): string | undefined {
  let catalog = fallbackCatalogs.get(type);
  if (!catalog) {
    try {
      catalog = JSON.parse(readFileSync(path.join(localesDir(), `${type}.json`), 'utf8')) as Record<string, unknown>;
    } catch {
      catalog = {};
    }
    fallbackCatalogs.set(type, catalog);
  }
  const v = `${type}.status.${key}`.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), catalog);
  return typeof v === 'string' ? v : undefined;
}

/** Fill `__name__` placeholders as Node-RED's i18next does. */
function interpolate(text: string, params: StatusParams | undefined): string {
  return text.replace(/__(\w+?)__/g, (m, name: string) => (params && name in params ? String(params[name]) : m));
}

/** The RED of each node type's module, remembered from its status calls (for helpers that have no RED, see lib/input). */
const redOfType = new Map<string, StatusRED>();

/**
 * The text of status `key` of a node type: RED._ of `<type>.status.<key>`, which the node module's
 * own RED looks up in that module's catalog (namespace `<module>/<type>`); where RED._ cannot
 * translate it (the node test helper's RED._ returns the id unchanged), the en-US catalog shipped
 * in nodes/locales, so a status never shows a raw message id.
 */
export function statusText(RED: StatusRED | undefined, type: string, key: string, params?: StatusParams): string {
  const local = `${type}.status.${key}`;
  if (RED?._) redOfType.set(type, RED);
  const red = RED ?? redOfType.get(type);
  const translated = red?._ ? red._(local, params) : undefined;
  if (translated && translated !== local && !translated.endsWith(`:${local}`)) return translated;
  const text = fallbackText(type, key);
  return text === undefined ? key : interpolate(text, params);
}

/** The status each node shows now, as fill|shape|key|params. */
const shown = new WeakMap<Node, string>();

type Fill = 'green' | 'yellow' | 'red' | 'grey';

/**
 * Set a status unless the node shows it already. Why: nodes on the reading path set their status
 * on every reading, and each node.status() is an event to every open editor plus garbage on the
 * path a setpoint waits behind; an unchanged status needs neither (nor a translation).
 */
function show(RED: StatusRED | undefined, node: Node, fill: Fill, shape: 'dot' | 'ring', key: string, params?: StatusParams): void {
  const memo = `${fill}|${shape}|${key}|${params ? JSON.stringify(params) : ''}`;
  if (shown.get(node) === memo) return;
  const text = fitStatus(statusText(RED, node.type, key, params));
  shown.set(node, memo);
  node.status({ fill, shape, text });
}

/** Green dot: connected / ok. `key` names `<type>.status.<key>` in the node's catalog. */
export function statusOk(RED: StatusRED | undefined, node: Node, key: string, params?: StatusParams): void {
  show(RED, node, 'green', 'dot', key, params);
}

/** Yellow ring: connecting / stale / degraded. */
export function statusWarn(RED: StatusRED | undefined, node: Node, key: string, params?: StatusParams): void {
  show(RED, node, 'yellow', 'ring', key, params);
}

/** Red ring: disconnected / fault. */
export function statusFault(RED: StatusRED | undefined, node: Node, key: string, params?: StatusParams): void {
  show(RED, node, 'red', 'ring', key, params);
}

/** Grey ring: stopped / idle. */
export function statusIdle(RED: StatusRED | undefined, node: Node, key: string, params?: StatusParams): void {
  show(RED, node, 'grey', 'ring', key, params);
}

/** Clear the status. */
export function statusClear(node: Node): void {
  shown.delete(node);
  node.status({});
}

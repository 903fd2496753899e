// The config nodes as their users see them: one place for their interfaces, a typed getter that
// says clearly when the referenced node is missing or of the wrong type, and one user count.
import type { EventEmitter } from 'node:events';
import type { CheckpointStore, Outbox } from '../../adapters/ports';
import type { LedgerStore } from '../../adapters/store/ledger-store';
import type { Node, NodeAPI } from './red';

/** What the ledger config node offers the session, record, sync and price nodes. */
export interface LedgerConfigNode extends Node {
  stationId: string;
  /** Current signing key id ('' when the ledger failed to open). */
  keyId: string;
  checkpoints: CheckpointStore;
  outbox: Outbox;
  /** Emits 'appended' (LedgerRecord) after each durable append. */
  events: EventEmitter;
  /** The LevelDB store (undefined when it failed to open: see `failure`). */
  store: LedgerStore | undefined;
  /** Why the ledger could not be opened, if it could not. */
  failure: Error | undefined;
  /** A dependent node (session, record, sync) registers so the database stays open for its last writes on close. */
  addUser(id: string): void;
  /** The dependent is done writing; the ledger may close once every user has left. */
  removeUser(id: string): void;
}

/** Human names of the config node types, for messages. */
const LABELS: Record<string, string> = {
  'chargeledger-ledger': 'ledger (chargeledger-ledger)',
  'chargeledger-uplink': 'backend connection (chargeledger-uplink)',
  'chargeledger-meter-port': 'meter port (chargeledger-meter-port)',
  'chargeledger-tariff': 'tariff (chargeledger-tariff)',
};

/**
 * The config node a property references, typed; throws with what to do when none is selected,
 * the id names no node (deleted), or the node is of another type.
 */
export function configNode<T extends Node>(RED: NodeAPI, id: unknown, type: keyof typeof LABELS | string): T {
  const what = LABELS[type] ?? type;
  if (id === undefined || id === null || id === '') throw new Error(`no ${what} selected: pick one in the node's settings`);
  const n = RED.nodes.getNode(String(id)) as (Node & { type?: string }) | null;
  if (!n) throw new Error(`the ${what} ${String(id)} does not exist (deleted, or disabled): pick another in the node's settings`);
  if (n.type !== undefined && n.type !== type) throw new Error(`node ${String(id)} is a ${n.type}, not a ${what}`);
  return n as T;
}

/**
 * The users of a config node, counted once each: the node keeps its connection (port, broker,
 * database) while any is left, and learns when the last one goes.
 */
export class Users<U = string> {
  private readonly set = new Set<U>();
  private emptied: Array<() => void> = [];

  /** Count a user in (again: no double count). */
  add(user: U): void {
    this.set.add(user);
  }

  /** Count a user out; true when it was the last. */
  delete(user: U): boolean {
    if (!this.set.delete(user)) return false;
    if (this.set.size > 0) return false;
    const waiting = this.emptied;
    this.emptied = [];
    for (const w of waiting) w();
    return true;
  }

  /** How many users are in. */
  get size(): number {
    return this.set.size;
  }

  /** Every user now. */
  values(): U[] {
    return [...this.set];
  }

  /** Forget every user (the config node itself is closing). */
  clear(): void {
    this.set.clear();
  }

  /** Resolves once no user is left, or after `graceMs`, whichever is first. */
  whenEmpty(graceMs: number): Promise<void> {
    if (this.set.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, graceMs);
      this.emptied.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

// Config transactions between config-in and the nodes that apply configs (price, load): a config is
// `accepted` only once every consumer wired to config-in has said it applied it.
import { randomBytes } from 'node:crypto';
import type { NodeMessage } from './red';

/** The node types that apply each config kind. */
export const CONFIG_CONSUMERS: Record<string, string> = { tariffs: 'chargeledger-price', limits: 'chargeledger-load' };

interface Txn {
  waiting: Set<string>;
  refusals: string[];
  settle: () => void;
}

const open = new Map<string, Txn>();

/**
 * Start a transaction that waits for `consumers` (node ids); resolves with their refusals, plus a
 * refusal for each consumer that did not answer within `timeoutMs`.
 */
export function beginConfigTxn(consumers: Array<{ id: string; label: string }>, timeoutMs: number): { txn: string; result: Promise<string[]> } {
  const txn = randomBytes(8).toString('hex');
  const labels = new Map(consumers.map((c) => [c.id, c.label]));
  const result = new Promise<string[]>((resolve) => {
    const t: Txn = { waiting: new Set(labels.keys()), refusals: [], settle: () => undefined };
    const timer = setTimeout(() => {
      for (const id of t.waiting) t.refusals.push(`${labels.get(id)}: did not confirm within ${timeoutMs / 1000} s`);
      t.waiting.clear();
      t.settle();
    }, timeoutMs);
    t.settle = () => {
      if (t.waiting.size) return;
      clearTimeout(timer);
      open.delete(txn);
      resolve(t.refusals.map((r) => r));
    };
    open.set(txn, t);
  });
  return { txn, result };
}

/** A consumer's word on a config message: applied (no error) or refused with the reason. No-op for messages outside a transaction. */
export function reportConfig(msg: NodeMessage, nodeId: string, label: string, error?: string): void {
  const txn = typeof msg.configTxn === 'string' ? open.get(msg.configTxn) : undefined;
  if (!txn || !txn.waiting.delete(nodeId)) return;
  if (error) txn.refusals.push(`${label}: ${error}`);
  txn.settle();
}

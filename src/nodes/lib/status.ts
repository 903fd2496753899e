import type { Node } from './red';

/** Status texts must stay under 20 characters to fit under a node in the editor. */
const MAX_STATUS_CHARS = 19;

/** Cut a status text to fit under a node. */
export function fitStatus(text: string): string {
  return text.length <= MAX_STATUS_CHARS ? text : `${text.slice(0, MAX_STATUS_CHARS - 1)}…`;
}

/** The status each node shows now, as fill|shape|text. */
const shown = new WeakMap<Node, string>();

/**
 * Set a status unless the node shows it already. Why: nodes on the reading path set their status
 * on every reading, and each node.status() is an event to every open editor plus garbage on the
 * path a setpoint waits behind; an unchanged status needs neither.
 */
function show(node: Node, fill: 'green' | 'yellow' | 'red' | 'grey', shape: 'dot' | 'ring', text: string): void {
  const fitted = fitStatus(text);
  const key = `${fill}|${shape}|${fitted}`;
  if (shown.get(node) === key) return;
  shown.set(node, key);
  node.status({ fill, shape, text: fitted });
}

/** Green dot: connected / ok. */
export function statusOk(node: Node, text: string): void {
  show(node, 'green', 'dot', text);
}

/** Yellow ring: connecting / stale / degraded. */
export function statusWarn(node: Node, text: string): void {
  show(node, 'yellow', 'ring', text);
}

/** Red ring: disconnected / fault. */
export function statusFault(node: Node, text: string): void {
  show(node, 'red', 'ring', text);
}

/** Grey ring: stopped / idle. */
export function statusIdle(node: Node, text: string): void {
  show(node, 'grey', 'ring', text);
}

/** Clear the status. */
export function statusClear(node: Node): void {
  shown.delete(node);
  node.status({});
}

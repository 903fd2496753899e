import type { Node } from './red';

/** Status texts must stay under 20 characters to fit under a node in the editor. */
const MAX_STATUS_CHARS = 19;

/** Cut a status text to fit under a node. */
export function fitStatus(text: string): string {
  return text.length <= MAX_STATUS_CHARS ? text : `${text.slice(0, MAX_STATUS_CHARS - 1)}…`;
}

/** Green dot: connected / ok. */
export function statusOk(node: Node, text: string): void {
  node.status({ fill: 'green', shape: 'dot', text: fitStatus(text) });
}

/** Yellow ring: connecting / stale / degraded. */
export function statusWarn(node: Node, text: string): void {
  node.status({ fill: 'yellow', shape: 'ring', text: fitStatus(text) });
}

/** Red ring: disconnected / fault. */
export function statusFault(node: Node, text: string): void {
  node.status({ fill: 'red', shape: 'ring', text: fitStatus(text) });
}

/** Grey ring: stopped / idle. */
export function statusIdle(node: Node, text: string): void {
  node.status({ fill: 'grey', shape: 'ring', text: fitStatus(text) });
}

/** Clear the status. */
export function statusClear(node: Node): void {
  node.status({});
}

import { parseInput, type InputKind, type InputOf } from './parse-input';
import type { Node, NodeMessage } from './red';
import { statusFault } from './status';

/** What an input handler may send: one message, or one entry per output. */
export type Outgoing = NodeMessage | Array<NodeMessage | NodeMessage[] | null>;

/** An async input handler: resolves when the message is fully handled. */
export type AsyncInputHandler = (msg: NodeMessage, send: (out: Outgoing) => void) => Promise<void> | void;

/**
 * Route a node's input through one wrapper: Node-RED does not await handlers, so every
 * outcome ends in done() or done(err), which Catch and Complete nodes rely on. Errors never
 * escape into the runtime. Messages are handled in arrival order, one at a time, so an async
 * handler never sees two messages interleaved (the session and ledger state depend on it).
 */
export function onInput(node: Node, handler: AsyncInputHandler, onError?: (err: Error, msg: NodeMessage) => void): void {
  let chain: Promise<void> = Promise.resolve();
  node.on('input', (msg, send, done) => {
    chain = chain.then(async () => {
      try {
        await handler(msg, send);
        done();
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        onError?.(err, msg);
        done(err);
      }
    });
  });
}

/** A handler of parsed input: the typed value, the message it came in, and send. */
export type ParsedInputHandler<K extends InputKind> = (input: InputOf<K>, msg: NodeMessage, send: (out: Outgoing) => void) => Promise<void> | void;

/**
 * onInput with the contract in front: the message is parsed once, as one of the kinds the node
 * accepts, before the handler runs. A message that does not parse never reaches the handler (so
 * nothing is half-applied): it ends in done(err) with the reason, and the status says what was wrong.
 */
export function onParsedInput<K extends InputKind>(node: Node, accepts: readonly K[], handler: ParsedInputHandler<K>, onError?: (err: Error, msg: NodeMessage) => void): void {
  onInput(
    node,
    (msg, send) => {
      const r = parseInput(msg, accepts);
      if (!r.ok) throw new InputRefused(r.reason);
      return handler(r.value, msg, send);
    },
    (err, msg) => {
      if (err instanceof InputRefused) statusFault(undefined, node, ...refusalStatus(err.message));
      else onError?.(err, msg);
    },
  );
}

/**
 * The status for a refused message, as [key, params] of the node's catalog: "bad reading: seq",
 * "bad event: cpState" (key `refused`), or "bad input" (key `badInput`).
 */
export function refusalStatus(reason: string): [string, Record<string, string>?] {
  const m = /^([a-z -]+): (?:payload\.)?([A-Za-z0-9_.[\]]+)/.exec(reason);
  if (!m || m[1] === 'unrecognised message') return ['badInput'];
  return ['refused', { what: m[1] === 'charger event' ? 'event' : m[1], field: m[2] }];
}

/** A message that did not parse: the reason is for the user. */
export class InputRefused extends Error {}

import type { Node, NodeMessage } from './red';

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

import path from 'node:path';
// node-red-node-test-helper is CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper = require('node-red-node-test-helper');

// CHARGELEDGER_NODE_RED points at another runtime's red.js (CI runs the node tests on Node-RED 5 too).
helper.init(process.env.CHARGELEDGER_NODE_RED ?? require.resolve('node-red'));

/** The shared node-red-node-test-helper, initialised against the pinned Node-RED runtime. */
export const nodeRed = helper as {
  load(nodes: unknown | unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  setFlows(flow: unknown[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): (Record<string, unknown> & { on(ev: string, fn: (...a: any[]) => void): void; receive(msg: unknown): void }) | null;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): any;
  settings(s: Record<string, unknown>): void;
  /** The spy on Node-RED's log: every node.log/warn/error since load(), as {level, msg, id}. */
  log(): { args: Array<[{ level: number; msg: unknown; id?: string }]> };
};

/** Load a node module the way Node-RED does: through the thin shim in `nodes/`. */
export function nodeModule(type: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', 'nodes', `${type}.js`));
}

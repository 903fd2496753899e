// Minimal typings for the parts of the Node-RED runtime API that the ChargeLedger nodes use.
// Kept local so the package does not depend on @types/node-red (which lags the runtime).

/** A Node-RED message. */
export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

/** Status shown under a node in the editor. */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** The runtime node object, as passed to a node's constructor as `this`. */
export interface Node {
  id: string;
  type: string;
  name?: string;
  z?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', listener: (msg: NodeMessage, send: (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(msg: string): void;
  warn(msg: string): void;
  error(err: string | Error, msg?: NodeMessage): void;
  debug?(msg: string): void;
}

/** The node definition's configuration properties, as saved in the flow. */
export type NodeDef = Record<string, unknown> & { id: string; type: string; name?: string; z?: string };

/** The `RED` object handed to a node module. */
/** An admin HTTP request as express hands it over (the parts we use). */
export interface AdminRequest {
  query: Record<string, string | undefined>;
  params: Record<string, string>;
}

/** An admin HTTP response: Node's ServerResponse plus express's json() and status(). */
export type AdminResponse = import('node:http').ServerResponse & { json(body: unknown): void; status(code: number): { json(body: unknown): void } };

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    registerType(type: string, ctor: (this: Node, def: NodeDef) => void, opts?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, { value: unknown; exportable?: boolean }> }): void;
    getNode(id: string): Node | null;
  };
  settings: Record<string, unknown>;
  httpAdmin: {
    get(path: string, ...handlers: Array<(req: AdminRequest, res: AdminResponse, next?: () => void) => void>): void;
  };
  auth: { needsPermission(permission: string): (req: unknown, res: unknown, next: () => void) => void };
  util: { evaluateNodeProperty(value: unknown, type: string, node: Node, msg: NodeMessage): unknown };
  log: { info(msg: string): void; warn(msg: string): void; error(msg: string): void };
  version?(): string;
  /** Node-RED's translator: a message id (`<module>/<set>:<key>` or a key of this module's catalog) and its params. */
  _?(key: string, params?: Record<string, unknown>): string;
}

/** The default export that Node-RED calls with RED. */
export type NodeModule = (RED: NodeAPI) => void;

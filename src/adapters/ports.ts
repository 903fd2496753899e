// The small interfaces between the pure core, the adapters and the Node-RED glue.
// Each has an in-memory implementation for tests and a real one (LevelDB, MQTT, serial).

/** Durable store of open-session checkpoints, keyed by session id. */
export interface CheckpointStore {
  /** Save (replace) the checkpoint of one open session; resolves once durable. */
  save(sessionId: string, state: unknown): Promise<void>;
  /** Every checkpoint stored, for recovery after a restart. */
  loadAll(): Promise<Array<{ sessionId: string; state: unknown }>>;
  /** Remove a checkpoint (normally done inside the ledger's append batch instead). */
  delete(sessionId: string): Promise<void>;
}

/** One record waiting in the outbox for the backend's acknowledgement. */
export interface OutboxEntry {
  /** Record id: the backend's deduplication key. */
  id: string;
  /** Station sequence number: the send order. */
  seq: number;
  /** The serialised record envelope, exactly as published. */
  payload: string;
}

/** Records that the backend has not acknowledged yet, in sequence order. */
export interface Outbox {
  /** Up to `limit` entries with seq greater than `afterSeq`, ascending. */
  peek(limit: number, afterSeq?: number): Promise<OutboxEntry[]>;
  /** Remove acknowledged ids; unknown ids are ignored. Resolves to the number removed. */
  ack(ids: string[]): Promise<number>;
  /** Number of entries waiting. */
  size(): Promise<number>;
}

/** A byte stream to a meter: a serial device or a serial-over-TCP gateway. */
export interface ByteSource {
  /** Open (or reopen) the stream. */
  open(): Promise<void>;
  /** Write bytes to the meter (requests in polling mode). */
  write(data: Buffer | string): Promise<void>;
  /** Close for good; no reconnection after this. */
  close(): Promise<void>;
}

// A stand-in ledger config node for sync tests: the sync node needs only `outbox` and `events`.
import { EventEmitter } from 'node:events';
import { MemoryOutbox } from '../../src/adapters/memory-outbox';

/** The outbox the stand-in hands out (replace `current` per test) and its 'appended' events. */
export const testOutbox = { current: new MemoryOutbox() };
/** Emits 'appended' as the ledger does after a durable append. */
export const testLedgerEvents = new EventEmitter();

/** Registers `test-ledger`, a config node with `outbox` and `events`. */
export function testLedger(RED: any): void {
  RED.nodes.registerType('test-ledger', function (this: any, def: any) {
    RED.nodes.createNode(this, def);
    this.outbox = testOutbox.current;
    this.events = testLedgerEvents;
  });
}

import { MemoryOutbox } from '../../src/adapters/memory-outbox';
import { outboxContract } from '../contracts/outbox.contract';

outboxContract('MemoryOutbox', async () => {
  const outbox = new MemoryOutbox();
  return { outbox, add: (e) => outbox.add(e), close: async () => undefined };
});

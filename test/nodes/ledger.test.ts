import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Level } from 'level';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { makeSession } from '../core/ledger/session-fixture';

const ledgerNode = nodeModule('chargeledger-ledger');
type Any = Record<string, any>;

describe('chargeledger-ledger', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ledger-node-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exposes checkpoints, outbox, events and store; appends delete checkpoints and fill the outbox', async () => {
    await nodeRed.load([ledgerNode], [{ id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 30 }]);
    const ledger = nodeRed.getNode('L') as Any;
    await ledger.checkpoints.save('sess-1', { energyWh: 10 });
    expect(await ledger.checkpoints.loadAll()).toEqual([{ sessionId: 'sess-1', state: { energyWh: 10 } }]);
    const appended = new Promise<Any>((resolve) => ledger.events.once('appended', resolve));
    await ledger.store.append(makeSession(1));
    expect((await appended).seq).toBe(1);
    expect(await ledger.checkpoints.loadAll()).toEqual([]);
    const [entry] = await ledger.outbox.peek(10);
    expect(entry).toMatchObject({ id: 'sess-1', seq: 1 });
    expect(JSON.parse(entry.payload).seq).toBe(1);
    expect(await ledger.outbox.ack(['sess-1', 'unknown'])).toBe(1);
    expect(await ledger.outbox.size()).toBe(0);
    expect(ledger.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(statSync(path.join(dataDir, 'ST1', 'keys', `${ledger.keyId}.key`)).mode & 0o777).toBe(0o600);
  });

  it('shares one database between config nodes of the same station and closes it when the last leaves', async () => {
    await nodeRed.load([ledgerNode], [
      { id: 'A', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
      { id: 'B', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 },
    ]);
    const a = nodeRed.getNode('A') as Any;
    const b = nodeRed.getNode('B') as Any;
    expect(a.store).toBe(b.store);
    await a.store.append(makeSession(1));
    await nodeRed.unload();
    // The LevelDB lock is free again: a plain open succeeds and sees the record.
    const db = new Level(path.join(dataDir, 'ST1', 'ledger'));
    await db.open();
    const keys = await db.keys().all();
    await db.close();
    expect(keys.some((k) => k.startsWith('!rec!'))).toBe(true);
  });

  it('reports a clear error for an invalid station id instead of crashing', async () => {
    await nodeRed.load([ledgerNode], [{ id: 'L', type: 'chargeledger-ledger', stationId: '../evil', dataDir }]);
    const ledger = nodeRed.getNode('L') as Any;
    expect(ledger.store).toBeUndefined();
    await expect(ledger.outbox.size()).rejects.toThrow(/station id/);
  });
});

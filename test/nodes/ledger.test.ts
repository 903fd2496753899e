// The ledger config node when its database is held by another process (a second Node-RED or a
// chargeledger command): a clear error, not level's bare "Database failed to open".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStation } from '../../src/adapters/store/station';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';

const ledgerNode = nodeModule('chargeledger-ledger');

describe('chargeledger-ledger', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await nodeRed.unload();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('says the database is in use by another process when it is locked', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ledger-node-'));
    dirs.push(dataDir);
    const held = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    await held.store.ready;
    try {
      await nodeRed.load(ledgerNode, [{ id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir, retentionDays: 0 }]);
      // From the log spy, which has seen every error since load (the open may fail before a listener could attach).
      const errors = () => nodeRed.log().args.map(([e]) => e).filter((e) => e.id === 'L' && e.level === 20).map((e) => String(e.msg));
      await waitFor(() => errors().length > 0, 5000);
      expect(errors()[0]).toMatch(/ledger database .*ST1\/ledger failed to open: it is in use by another process/);
    } finally {
      await held.store.close();
    }
  });
});

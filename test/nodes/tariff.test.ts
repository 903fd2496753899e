// chargeledger-tariff config node: validation, versioned replacement, durable state.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';

const tariffNode = nodeModule('chargeledger-tariff');
type Any = Record<string, any>;
const sell = readFileSync(path.join(__dirname, '..', 'fixtures', 'ocpi', 'tariff_8_simple_025kwh.json'), 'utf8');

describe('chargeledger-tariff', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tariff-node-'));
  });
  afterEach(async () => {
    await nodeRed.unload();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const flow = (extra: Any = {}) => [{ id: 'T', type: 'chargeledger-tariff', sell, buy: '', timezone: 'Europe/Amsterdam', dataDir, ...extra }];

  it('holds the editor config as version 0 with its time zone', async () => {
    await nodeRed.load([tariffNode], flow());
    const t = nodeRed.getNode('T') as Any;
    expect(t.config).toMatchObject({ version: 0, timezone: 'Europe/Amsterdam', sell: { id: '16' } });
    expect(t.config.buy).toBeUndefined();
    expect(t.failure).toBeUndefined();
  });

  it('applies newer backend versions only, persists them atomically, and emits "changed"', async () => {
    await nodeRed.load([tariffNode], flow());
    const t = nodeRed.getNode('T') as Any;
    const changed = new Promise<Any>((resolve) => t.events.once('changed', resolve));
    expect(t.replace({ version: 5, sell: { ...JSON.parse(sell), id: 'b5' } })).toBe(true);
    expect((await changed).version).toBe(5);
    expect(t.replace({ version: 5, sell: { ...JSON.parse(sell), id: 'again' } })).toBe(false);
    expect(() => t.replace({ version: 6, sell: { id: 'x' } })).toThrow(/config\.sell\.currency/);
    expect(t.config.sell.id).toBe('b5');
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const file = path.join(dataDir, 'tariff-T.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).config.sell.id).toBe('b5');
  });

  it('keeps dynamic prices across a restart, even after the editor tariff changed', async () => {
    await nodeRed.load([tariffNode], flow());
    (nodeRed.getNode('T') as Any).setPrices([{ start: '2024-01-15T10:00:00Z', end: '2024-01-15T11:00:00Z', priceMinorPerKWh: 9 }], 1000);
    await nodeRed.unload();
    await nodeRed.load([tariffNode], flow({ timezone: 'UTC' }));
    expect((nodeRed.getNode('T') as Any).dynamic).toEqual({ receivedAtMs: 1000, entries: [{ start: '2024-01-15T10:00:00Z', end: '2024-01-15T11:00:00Z', priceMinorPerKWh: 9 }] });
  });

  it('reports invalid editor JSON and rates without throwing', async () => {
    await nodeRed.load([tariffNode], flow({ buy: '{"currency":"EUR"}' }));
    const t = nodeRed.getNode('T') as Any;
    expect(t.config).toBeUndefined();
    expect(t.failure.message).toMatch(/config\.buy: needs fixedPricePerKWh or timeOfUse/);
    expect(existsSync(path.join(dataDir, 'tariff-T.json'))).toBe(false);
  });
});

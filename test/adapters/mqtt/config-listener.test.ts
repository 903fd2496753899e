// Downstream configuration over real brokers: updates that the consumers applied are persisted
// and accepted; malformed, oversized, stale, foreign or refused ones are rejected with a reason
// and change nothing.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { UplinkClient } from '../../../src/adapters/mqtt/uplink-client';
import { ConfigListener, type AcceptedConfig } from '../../../src/adapters/mqtt/config-listener';
import { ConfigStore } from '../../../src/adapters/mqtt/config-store';
import { validatorFromSchema } from '../../../src/adapters/mqtt/config-schemas';
import type { ConfigResult } from '../../../src/core/sync/config-envelope';
import { startAedes, startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';
import { waitFor } from '../../helpers/ports';

// Small stand-in schemas: the real ones belong to teams PRICING and LOAD (schemas/*-config.schema.json).
const tariffSchema = { type: 'object', required: ['sell'], properties: { sell: { type: 'object', required: ['currency'], properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' } } } } };
const limitsSchema = { type: 'object', required: ['site'], properties: { site: { type: 'object' } } };

const brokers: Array<[string, () => Promise<TestBroker>]> = [['aedes', startAedes]];
if (needBinary('mosquitto')) brokers.push(['mosquitto', () => startMosquitto()]);

describe.each(brokers)('config-in over %s', (_kind, startBroker) => {
  let broker: TestBroker;
  let dir: string;
  let uplink: UplinkClient;
  let listener: ConfigListener;
  let backend: MqttClient;
  let results: ConfigResult[];
  let accepted: AcceptedConfig[];
  /** What the stand-in consumer says to the next config: refusals (empty: applied). */
  let consumerSays: string[];

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await listener.stop();
    await uplink.close();
    await backend.endAsync();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(maxBytes = 4096): Promise<void> {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-cfg-'));
    uplink = new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: `cfg-${Math.random()}`, version: '0.1.0' });
    listener = new ConfigListener(uplink, { stationId: 'ST-1', store: new ConfigStore(dir), validators: { tariffs: validatorFromSchema(tariffSchema), limits: validatorFromSchema(limitsSchema) }, maxBytes, apply: async (c) => {
        accepted.push(c);
        return consumerSays;
      } });
    listener.start();
    const connected = new Promise((r) => uplink.once('connect', r));
    uplink.start();
    await connected;
    backend = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    results = [];
    accepted = [];
    consumerSays = [];
    backend.on('message', (_t, p) => results.push(JSON.parse(p.toString())));
    await backend.subscribeAsync('chargeledger/ST-1/config/result', { qos: 1 });
  }

  const send = async (kind: 'tariffs' | 'limits', body: unknown): Promise<ConfigResult> => {
    const n = results.length;
    await backend.publishAsync(`chargeledger/ST-1/config/${kind}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
    await waitFor(() => results.length > n);
    return results[n]!;
  };
  const good = (version: number, currency = 'EUR') => ({ stationId: 'ST-1', version, payload: { sell: { currency } } });
  const stored = () => JSON.parse(readFileSync(path.join(dir, 'config-tariffs.json'), 'utf8'));

  it('accepts a valid, newer update: persisted, emitted and reported', async () => {
    await setup();
    expect(await send('tariffs', good(3))).toEqual({ result: 'accepted', config: 'tariffs', version: 3, inForce: 3 });
    expect(stored()).toMatchObject({ version: 3, payload: { sell: { currency: 'EUR' } } });
    expect(accepted).toEqual([{ kind: 'tariffs', version: 3, payload: { sell: { currency: 'EUR' } } }]);
    expect(await send('limits', { stationId: 'ST-1', version: 1, payload: { site: { maxCurrentA: 63 } } })).toMatchObject({ result: 'accepted', config: 'limits' });
    expect(readdirSync(dir).sort()).toEqual(['config-limits.json', 'config-tariffs.json']);
  });

  it.each([
    ['malformed JSON', '{"stationId": "ST-1", "version": 9,', /malformed: not JSON/],
    ['no payload', { stationId: 'ST-1', version: 9 }, /malformed: "payload"/],
    ['too large', { ...good(9), pad: 'x'.repeat(5000) }, /too large/],
    ['wrong version (not newer)', good(2), /stale version: 2 <= current 3/],
    ['wrong version (same)', good(3, 'USD'), /stale version/],
    ['wrong version (not an integer)', { ...good(4), version: '4' }, /"version" must be an integer/],
    ['another station', { ...good(9), stationId: 'ST-2' }, /wrong station/],
    ['a version jump', good(3 + 1_000_000_000_001), /version jump/],
    ['payload against the schema', good(9, 'euro'), /schema: \/sell\/currency/],
  ])('rejects %s with a reason and changes nothing', async (_what, body, reason) => {
    await setup();
    await send('tariffs', good(3));
    const before = readFileSync(path.join(dir, 'config-tariffs.json'), 'utf8');
    accepted = [];
    const r = await send('tariffs', body);
    expect(r.result).toBe('rejected');
    expect(r.reason).toMatch(reason);
    expect(readFileSync(path.join(dir, 'config-tariffs.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['config-tariffs.json']);
    expect(accepted).toEqual([]);
    expect(r.inForce).toBe(3);
  });

  it('rejects what a consumer refused, with its reason, and stores nothing', async () => {
    await setup();
    await send('tariffs', good(3));
    consumerSays = ['chargeledger-price "p": disk full'];
    const r = await send('tariffs', good(4));
    expect(r).toEqual({ result: 'rejected', config: 'tariffs', version: 4, inForce: 3, reason: 'chargeledger-price "p": disk full' });
    expect(stored().version).toBe(3);
  });
});

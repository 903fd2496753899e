// The JSON Schemas in schemas/ describe what the code actually sends and accepts.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { formatAck } from '../../../src/core/sync/ack';
import { birthPayload, willPayload } from '../../../src/core/sync/status';
import { TelemetrySnapshot } from '../../../src/core/sync/telemetry';
import { checkEnvelope, formatConfigResult } from '../../../src/core/sync/config-envelope';
import { makeRecords, stationKey } from '../../adapters/receiver/signed-records';
import { testAckKey } from '../../helpers/ack-key';

const schema = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', name), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const valid = (name: string, value: unknown): true | string => {
  const v = ajv.getSchema(schema(name).$id) ?? ajv.compile(schema(name));
  return v(value) ? true : ajv.errorsText(v.errors);
};

describe('schemas match the messages', () => {
  it('record: a sealed ledger record', () => {
    const [r] = makeRecords('ST-1', stationKey(), 1, 1);
    expect(valid('record.schema.json', JSON.parse(JSON.stringify(r)))).toBe(true);
    expect(valid('record.schema.json', { ...r, seq: 0 })).not.toBe(true);
  });
  it('ack', () => {
    const signed = JSON.parse(formatAck(['a', 'b'], testAckKey().signer('ST-1', ['a', 'b'])));
    expect(valid('ack.schema.json', signed)).toBe(true);
    expect(valid('ack.schema.json', JSON.parse(formatAck(['a', 'b'])))).not.toBe(true); // unsigned
    expect(valid('ack.schema.json', { ...signed, ack: [1] })).not.toBe(true);
  });
  it('status: birth and will', () => {
    expect(valid('status.schema.json', JSON.parse(birthPayload('0.1.0', 12, 0)))).toBe(true);
    expect(valid('status.schema.json', JSON.parse(willPayload()))).toBe(true);
    expect(valid('status.schema.json', { state: 'online' })).not.toBe(true);
  });
  it('telemetry', () => {
    const t = new TelemetrySnapshot('ST-1');
    t.reading({ meterId: 'CP1-1', seq: 1, timeMs: 5, monoMs: 5, powerW: 7000, energyImportWh: 10, currentA: [10, null, null] });
    t.health({ meterId: 'SITE', state: 'stale', lastGoodAgeMs: 30_000, errors: {}, sinceMs: 1 });
    t.setpoint('1', { currentA: 16, phases: 3, boundBy: 'site_power' });
    expect(valid('telemetry.schema.json', t.take(10))).toBe(true);
    t.acks(() => ({ accepted: 3, refused: { unsigned: 2, rate_limited: 40 } }));
    const withAcks = t.take(11);
    expect(withAcks.acks).toEqual({ accepted: 3, refused: { unsigned: 2, rate_limited: 40 } });
    expect(valid('telemetry.schema.json', withAcks)).toBe(true);
  });
  it('config envelope and result', () => {
    const env = { stationId: 'ST-1', version: 2, payload: { a: 1 }, issuedAt: '2026-01-01T00:00:00Z' };
    expect(valid('config-envelope.schema.json', env)).toBe(true);
    expect(checkEnvelope(JSON.stringify(env), { stationId: 'ST-1', currentVersion: 1, maxBytes: 1000 }).ok).toBe(true);
    const resultSchema = { ...schema('config-envelope.schema.json').definitions.result, $id: 'result' };
    const v = ajv.compile(resultSchema);
    expect(v(JSON.parse(formatConfigResult({ result: 'rejected', config: 'limits', version: null, reason: 'malformed: not JSON' })))).toBe(true);
    expect(v(JSON.parse(formatConfigResult({ result: 'accepted', config: 'tariffs', version: 3 })))).toBe(true);
  });
});

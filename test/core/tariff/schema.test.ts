// The published JSON Schema and the engine's own validation agree on the fixtures.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseTariffConfig } from '../../../src/core/tariff';

const root = path.join(__dirname, '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'tariff-config.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const fixtures = fs.readdirSync(path.join(root, 'test', 'fixtures', 'ocpi')).filter((f) => /^tariff(restriction)?_/.test(f) && f !== 'tariff_put_example.json');

describe('schemas/tariff-config.schema.json', () => {
  it.each(fixtures)('accepts the OCPI example %s as the sell tariff', (f) => {
    const sell = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'ocpi', f), 'utf8'));
    const cfg = { version: 1, timezone: 'Europe/Amsterdam', sell, buy: { currency: 'EUR', fixedPricePerKWh: '0.21', dynamic: { staleAfterS: 3600 } } };
    expect(validate(cfg), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parseTariffConfig(cfg)).not.toThrow();
  });

  it('rejects what the engine rejects', () => {
    const bad = [
      { sell: { id: 'x', currency: 'EUR', elements: [] } },
      { version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'KWH', price: 1, step_size: 1 }] }] } },
      { version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1, step_size: 1 }], restrictions: { end_time: '7:00' } }] } },
      { version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1, step_size: 1 }] }] }, buy: { currency: 'EUR' } },
      { version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1, step_size: 1 }], restrictions: { reservation: 'RESERVATION' } }] } },
      { version: 1, sell: { id: 'x', currency: 'EUR', elements: [{ price_components: [{ type: 'TIME', price: 1, step_size: 1 }], restrictions: { reservation: 'RESERVED' } }] } },
    ];
    for (const b of bad) {
      expect(validate(b)).toBe(false);
      expect(() => parseTariffConfig(b)).toThrow();
    }
  });
});

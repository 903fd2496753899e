// JSON Schema validators (ajv) for the downstream configuration payloads.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parseLimitsConfig } from '../../core/load/limits';
import type { ConfigKind } from '../../core/sync/topics';
import { parseTariffConfig } from '../../core/tariff';

/** Checks a payload; returns the reason it is invalid, or null. */
export type PayloadValidator = (payload: unknown) => string | null;

/** The package's schemas directory: the nearest ancestor's schemas/ (from src/ in tests, dist/src/ when built). */
export const SCHEMAS_DIR = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'schemas'))) return path.join(dir, 'schemas');
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..', '..', 'schemas');
  }
})();

/** Schema file per configuration kind. */
export const CONFIG_SCHEMA_FILES: Record<ConfigKind, string> = { tariffs: 'tariff-config.schema.json', limits: 'limits-config.schema.json' };

/** Compile a validator from a schema object (draft-07 or 2020-12). */
export function validatorFromSchema(schema: Record<string, unknown>): PayloadValidator {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = is2020 ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
  const validate: ValidateFunction = ajv.compile(schema);
  return (payload) => {
    if (validate(payload)) return null;
    const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    return `schema: ${errs.join('; ')}`;
  };
}

/**
 * Validator for a kind from a schema file. A missing file yields a validator that rejects
 * everything: without a schema nothing may be applied.
 */
export function validatorFromFile(file: string): PayloadValidator {
  if (!existsSync(file)) return () => `schema unavailable: ${path.basename(file)}`;
  return validatorFromSchema(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
}

/** The typed decoders the consumers run (tariff node, load node): a config they would refuse is refused here first. */
export const CONFIG_DECODERS: Record<ConfigKind, (payload: unknown) => unknown> = { tariffs: parseTariffConfig, limits: parseLimitsConfig };

/** The schema check followed by the consumer's decoder. */
export function withDecoder(schema: PayloadValidator, decode: (payload: unknown) => unknown): PayloadValidator {
  return (payload) => {
    const invalid = schema(payload);
    if (invalid) return invalid;
    try {
      decode(payload);
      return null;
    } catch (e) {
      return `invalid: ${(e as Error).message}`;
    }
  };
}

/** Validators for both kinds: the schemas in a directory, then the consumers' decoders. */
export function configValidators(dir = SCHEMAS_DIR): Record<ConfigKind, PayloadValidator> {
  return {
    tariffs: withDecoder(validatorFromFile(path.join(dir, CONFIG_SCHEMA_FILES.tariffs)), CONFIG_DECODERS.tariffs),
    limits: withDecoder(validatorFromFile(path.join(dir, CONFIG_SCHEMA_FILES.limits)), CONFIG_DECODERS.limits),
  };
}

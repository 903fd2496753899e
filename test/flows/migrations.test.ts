// Versioned node configs: flows saved by the previous release (package 0.1.0) load and behave the
// same, through the migration chain in resources/migrations.js (shared by runtime and editor).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentConfigVersion, migrateDef, MIGRATED_TYPES } from '../../src/nodes/lib/migrate';
import { parseLoadDef } from '../../src/nodes/load-def';
import { parseSessionDef } from '../../src/nodes/session-def';
import { parseLedgerDef } from '../../src/nodes/ledger-def';
import { parseSyncDef } from '../../src/nodes/sync-def';

type Any = Record<string, any> & { id: string; type: string };
const OLD = path.join(__dirname, '..', 'fixtures', 'flows', 'charger-0.1.0.json');
const oldFlow = (): Any[] => JSON.parse(readFileSync(OLD, 'utf8'));
const byType = (flow: Any[], type: string): Any => flow.find((n) => n.type === type)!;
const types = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'))['node-red'].nodes as Record<string, string>;

describe('the migration chain', () => {
  it('covers every node type of the package', () => {
    expect([...MIGRATED_TYPES].sort()).toEqual(Object.keys(types).sort());
  });
  it('upgrades every node of the 0.1.0 flow to the current version, keeping what was saved', () => {
    for (const n of oldFlow().filter((x) => x.type.startsWith('chargeledger-'))) {
      const m = migrateDef(structuredClone(n) as never) as Any;
      expect(m.configVersion, n.type).toBe(currentConfigVersion(n.type));
      for (const [k, v] of Object.entries(n)) expect(m[k], `${n.type}.${k}`).toEqual(v);
    }
  });
  it('fills in what 0.1.0 did not save with the value 0.1.0 behaved by', () => {
    // 0.1.0's editor saved the recovery policy with every session node: the saved choice stays.
    expect(parseSessionDef(migrateDef(byType(oldFlow(), 'chargeledger-session')), 'ST').session.recoveryPolicy).toBe('close');
    const load = byType(oldFlow(), 'chargeledger-load');
    expect(load.send).toBeUndefined();
    expect(parseLoadDef(migrateDef(load as never)).send).toBe('all');
    const uplink = migrateDef(byType(oldFlow(), 'chargeledger-uplink') as never) as Any;
    expect(uplink).toMatchObject({ ackKey: '', ackAuth: 'signed' });
  });
  it('decodes every migrated 0.1.0 node with the current decoders, settings unchanged', () => {
    // As Node-RED does at run time: the flow's ${VAR}s are the environment's values.
    const env: Record<string, string> = { CHARGELEDGER_STATION_ID: 'station-1', CHARGELEDGER_DATA_DIR: '/var/lib/chargeledger' };
    const substituted = JSON.parse(readFileSync(OLD, 'utf8').replace(/\$\{(\w+)\}/g, (_m, k: string) => env[k] ?? '')) as Any[];
    const flow = substituted.map((n) => (n.type.startsWith('chargeledger-') ? migrateDef(n as never) : n)) as Any[];
    const ledger = parseLedgerDef(byType(flow, 'chargeledger-ledger'));
    expect(ledger.retentionDays).toBe(Number(byType(oldFlow(), 'chargeledger-ledger').retentionDays));
    const sync = parseSyncDef(byType(flow, 'chargeledger-sync'));
    expect(sync.ackTimeoutMs).toBe(Number(byType(oldFlow(), 'chargeledger-sync').ackTimeoutS) * 1000);
    const session = parseSessionDef(byType(flow, 'chargeledger-session'), 'ST');
    expect(session.session.recoveryPolicy).toBe(byType(oldFlow(), 'chargeledger-session').recoveryPolicy);
    const load = parseLoadDef(byType(flow, 'chargeledger-load'));
    expect(load.siteMeterId).toBe(byType(oldFlow(), 'chargeledger-load').siteMeterId);
    expect(load.send).toBe('all');
  });
  it('is idempotent, and refuses a config from a newer release', () => {
    const once = migrateDef(byType(oldFlow(), 'chargeledger-record'));
    expect(migrateDef(once)).toEqual(once);
    expect(() => migrateDef({ ...once, configVersion: 99 })).toThrow(/saved by a newer release/);
  });
  it('is loaded by every node\'s editor file, which writes the current config version and migrates in oneditprepare', () => {
    for (const type of Object.keys(types)) {
      const html = readFileSync(path.join(__dirname, '..', '..', 'nodes', `${type}.html`), 'utf8');
      expect(html, type).toContain('src="resources/node-red-contrib-chargeledger/migrations.js"');
      expect(html, type).toContain(`configVersion: { value: ${currentConfigVersion(type)} }`);
      expect(html, type).toMatch(/oneditprepare: function \(\) \{\n(\s*\/\/.*\n)?\s*if \(typeof ChargeLedgerMigrations !== 'undefined'\) ChargeLedgerMigrations\.migrate\(this\);/);
    }
  });
  it('is the same file the editor loads', () => {
    const js = readFileSync(path.join(__dirname, '..', '..', 'resources', 'migrations.js'), 'utf8');
    const sandbox: Record<string, any> = {};
    new Function('self', js)(sandbox);
    const def: Record<string, unknown> = { type: 'chargeledger-session', chargerId: 'CP1' };
    sandbox.ChargeLedgerMigrations.migrate(def);
    expect(def).toEqual({ type: 'chargeledger-session', chargerId: 'CP1', configVersion: 1 });
    const load: Record<string, unknown> = { type: 'chargeledger-load' };
    sandbox.ChargeLedgerMigrations.migrate(load);
    expect(load).toEqual({ type: 'chargeledger-load', send: 'all', configVersion: 1 });
  });
});


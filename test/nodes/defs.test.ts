// Node configs are decoded apart from construction, by one set of field decoders: a bad value
// stops the node with the field named, and never falls back silently (a non-numeric retention
// used to become NaN and switch pruning off).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DefReader } from '../../src/nodes/lib/def-fields';
import { parseLedgerDef } from '../../src/nodes/ledger-def';
import { parseSyncDef } from '../../src/nodes/sync-def';
import { parseSessionDef } from '../../src/nodes/session-def';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';

describe('field decoders', () => {
  it('take numbers from editor text, defaults for empty fields, and name every problem', () => {
    const r = new DefReader({ a: '30', b: '', c: 'abc', d: -1, e: 2.5, f: 'sometimes' });
    expect(r.number('a', 1, { label: 'A' })).toBe(30);
    expect(r.number('b', 7, { label: 'B' })).toBe(7);
    expect(r.number('missing', 9, { label: 'M' })).toBe(9);
    r.number('c', 1, { label: 'Retention', unit: 'days' });
    r.number('d', 1, { label: 'Burst', min: 0 });
    r.number('e', 1, { label: 'Count', integer: true });
    r.oneOf('f', ['all', 'changes'] as const, 'all', 'Send');
    expect(r.problems).toEqual(['Retention must be a number (in days), got "abc"', 'Burst must be at least 0, got -1', 'Count must be a whole number, got 2.5', 'Send must be one of all, changes, got "sometimes"']);
    expect(() => r.done('x')).toThrow(/^x: Retention must be a number .*; Burst .*; Count .*; Send /);
  });
  it('refuse what the nodes used to take silently', () => {
    expect(() => parseLedgerDef({ id: 'l', type: 'chargeledger-ledger', retentionDays: 'abc' })).toThrow(/Retention must be a number \(in days\), got "abc"/);
    expect(() => parseSyncDef({ id: 's', type: 'chargeledger-sync', ratePerS: 'fast', ackTimeoutS: '0' })).toThrow(/Replay rate must be a number.*Ack timeout must be at least 0.1/);
    expect(() => parseSessionDef({ id: 's', type: 'chargeledger-session', chargerId: 'CP1', connectors: [{ connectorId: '1', meterId: 'M' }], updateIntervalS: 'x', recoveryPolicy: 'maybe' }, 'ST')).toThrow(/Update interval must be a number.*After a restart must be one of resume, close/);
    expect(parseLedgerDef({ id: 'l', type: 'chargeledger-ledger', retentionDays: '' }).retentionDays).toBe(365);
  });
});

describe('a node with a bad value stops with the field named', () => {
  let dir: string;
  afterEach(async () => {
    await nodeRed.unload();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  it('ledger: a non-numeric retention is an error, not pruning switched off', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cl-defs-'));
    await nodeRed.load([nodeModule('chargeledger-ledger'), nodeModule('chargeledger-record')], [
      { id: 'L', type: 'chargeledger-ledger', stationId: 'ST1', dataDir: dir, retentionDays: 'forever' },
      { id: 'R', type: 'chargeledger-record', ledger: 'L', wires: [[]] },
    ]);
    await waitFor(() => nodeRed.log().args.some(([e]) => /Retention must be a number \(in days\), got "forever"/.test(String(e.msg))));
    expect((nodeRed.getNode('L') as unknown as { failure?: Error }).failure?.message).toMatch(/Retention/);
  });
});

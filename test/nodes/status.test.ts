import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_MODULE, statusClear, statusFault, statusOk, statusText, statusWarn } from '../../src/nodes/lib/status';
import type { Node } from '../../src/nodes/lib/red';

/** A node of a type that records what reaches node.status(). */
function recorder(type = 'chargeledger-sync'): { node: Node; sent: unknown[] } {
  const sent: unknown[] = [];
  return { node: { type, status: (s: unknown) => sent.push(s) } as unknown as Node, sent };
}

/** Node-RED's own runtime i18n (@node-red/util), with the package's catalogs registered as the loader does. */
async function realI18n(lang: string): Promise<{ _: (k: string, p?: Record<string, unknown>) => string; i: { changeLanguage(l: string): Promise<unknown> } }> {
  // @node-red/util is CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { i18n } = require(require.resolve('@node-red/util', { paths: [require.resolve('node-red')] })) as {
    i18n: { init(s: unknown): Promise<void>; registerMessageCatalog(ns: string, dir: string, file: string): Promise<void>; _: (k: string, p?: Record<string, unknown>) => string; i: { changeLanguage(l: string): Promise<unknown> } };
  };
  await i18n.init({ lang });
  for (const t of ['chargeledger-sync', 'chargeledger-load', 'chargeledger-meter']) {
    await i18n.registerMessageCatalog(`${CATALOG_MODULE}/${t}`, path.resolve(__dirname, '../../nodes/locales'), `${t}.json`);
  }
  await i18n.i.changeLanguage(lang);
  return i18n;
}

describe('node status helpers', () => {
  it('send a status only when it differs from the one shown', () => {
    const { node, sent } = recorder();
    statusWarn(undefined, node, 'queued', { count: 3 });
    statusWarn(undefined, node, 'queued', { count: 3 });
    statusWarn(undefined, node, 'queued', { count: 4 });
    statusFault(undefined, node, 'offlineQueued', { count: 4 });
    statusFault(undefined, node, 'offlineQueued', { count: 4 });
    expect(sent).toEqual([
      { fill: 'yellow', shape: 'ring', text: 'queued: 3' },
      { fill: 'yellow', shape: 'ring', text: 'queued: 4' },
      { fill: 'red', shape: 'ring', text: 'offline (4)' },
    ]);
  });

  it('keep one memory per node, and send again after a clear', () => {
    const a = recorder();
    const b = recorder();
    statusFault(undefined, a.node, 'offline');
    statusFault(undefined, b.node, 'offline');
    statusClear(a.node);
    statusFault(undefined, a.node, 'offline');
    expect(a.sent).toEqual([{ fill: 'red', shape: 'ring', text: 'offline' }, {}, { fill: 'red', shape: 'ring', text: 'offline' }]);
    expect(b.sent).toHaveLength(1);
  });

  it('cut a text with a long figure to fit under the node', () => {
    const { node, sent } = recorder();
    statusFault(undefined, node, 'outboxError', { error: 'a status text far longer than fits' });
    expect(sent).toEqual([{ fill: 'red', shape: 'ring', text: 'outbox: a status t…' }]);
  });

  it('take the text from the node type’s catalog, never show a raw message id', () => {
    // The node test helper's RED._ returns the id unchanged: the en-US catalog answers instead.
    const identity = { _: (k: string) => k };
    expect(statusText(identity, 'chargeledger-load', 'site', { currentA: 38, limitA: 50 })).toBe('38/50 A');
    expect(statusText(identity, 'chargeledger-load', 'safe.site_meter_stale')).toBe('safe: meter stale');
    expect(statusText(undefined, 'chargeledger-meter', 'staleMeter', { meter: 'SITE', age: '12s' })).toBe('stale SITE 12s');
  });

  it('resolve the text with RED._ in the runtime language (Node-RED’s real i18n)', async () => {
    const i18n = await realI18n('de');
    // As Node-RED's per-module RED._ does: a key without a namespace is looked up in the module's own catalog.
    const redOf = (type: string) => ({ _: (k: string, p?: Record<string, unknown>) => i18n._(`${CATALOG_MODULE}/${type}:${k}`, p) });
    const red = redOf('chargeledger-sync');
    const { node, sent } = recorder('chargeledger-sync');
    statusWarn(red, node, 'queued', { count: 42 });
    statusOk(red, node, 'synced');
    expect(sent).toEqual([
      { fill: 'yellow', shape: 'ring', text: 'wartend: 42' },
      { fill: 'green', shape: 'dot', text: 'synchron' },
    ]);
    expect(statusText(redOf('chargeledger-load'), 'chargeledger-load', 'safe.restart')).toBe('sicher: Start');
    // A helper without RED (the refusal status of lib/input) uses the RED its node type used last.
    statusFault(undefined, node, 'badInput');
    expect(sent[2]).toEqual({ fill: 'red', shape: 'ring', text: 'ungültige Eingabe' });
    await realI18n('en-US');
    expect(statusText(red, 'chargeledger-sync', 'queued', { count: 42 })).toBe('queued: 42');
  });
});

// The editor files of every node: form and palette labels from the node's message catalog,
// help from its locale file (Node-RED's i18n layout: nodes/locales/<lang>/<type>.json and .html).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const types = Object.keys((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

/** Look a dotted key up in a catalog object. */
function lookup(catalog: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), catalog);
}

/** Every dotted key of a catalog's leaves. */
function leaves(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe.each(types)('editor files of %s', (type) => {
  const html = read(`nodes/${type}.html`);
  const catalog = JSON.parse(read(`nodes/locales/en-US/${type}.json`)) as unknown;

  it('has its help in locales/en-US, not in the node file', () => {
    expect(html).not.toContain('data-help-name');
    const help = read(`nodes/locales/en-US/${type}.html`);
    expect(help).toMatch(new RegExp(`^<script type="text/html" data-help-name="${type}">`));
    expect(help.trim().endsWith('</script>')).toBe(true);
  });

  it('takes every label from its catalog, and every catalog text is used', () => {
    const used = [...html.matchAll(/data-i18n="([^"]+)"/g), ...html.matchAll(/this\._\('([^']+)'\)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const key of used) expect(typeof lookup(catalog, key), key).toBe('string');
    expect(leaves(catalog).sort()).toEqual([...new Set(used)].sort());
    // No form label left with hard-coded text.
    expect(html.match(/<label[^>]*>(?:\s*<i [^>]*><\/i>)?\s*[A-Za-z][^<]*<\/label>/g)).toBeNull();
  });
});

describe('locales folder', () => {
  it('holds a catalog and a help file per node', () => {
    for (const t of types) {
      expect(existsSync(path.join(root, `nodes/locales/en-US/${t}.json`))).toBe(true);
      expect(existsSync(path.join(root, `nodes/locales/en-US/${t}.html`))).toBe(true);
    }
  });
});

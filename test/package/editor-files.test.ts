// The editor files of every node: form and palette labels from the node's message catalog,
// help from its locale file (Node-RED's i18n layout: nodes/locales/<lang>/<type>.json and .html),
// in every shipped language; status texts from the catalog's `status` section (used by the runtime).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const types = Object.keys((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');
/** The shipped languages: en-US (Node-RED's fallback) and de. */
const langs = ['en-US', 'de'];

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

  it.each(langs)('has its help in locales/%s, not in the node file', (lang) => {
    expect(html).not.toContain('data-help-name');
    const help = read(`nodes/locales/${lang}/${type}.html`);
    expect(help).toMatch(new RegExp(`^<script type="text/html" data-help-name="${type}">`));
    expect(help.trim().endsWith('</script>')).toBe(true);
  });

  it.each(langs)('has every catalog text of en-US in %s, and no other', (lang) => {
    expect(leaves(JSON.parse(read(`nodes/locales/${lang}/${type}.json`))).sort()).toEqual(leaves(catalog).sort());
  });

  it('takes every label from its catalog, and every catalog text is used', () => {
    const used = [...html.matchAll(/data-i18n="(?:\[\w+\])?([^"]+)"/g), ...html.matchAll(/(?:this|node)\._\('([^']+)'/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const key of used) expect(typeof lookup(catalog, key), key).toBe('string');
    // The status section is used by the runtime (src/nodes/lib/status.ts), not by the editor.
    expect(leaves(catalog).filter((k) => !k.startsWith(`${type}.status.`)).sort()).toEqual([...new Set(used)].sort());
    // No form label left with hard-coded text.
    expect(html.match(/<label[^>]*>(?:\s*<i [^>]*><\/i>)?\s*[A-Za-z][^<]*<\/label>/g)).toBeNull();
  });
});

describe('locales folder', () => {
  it.each(langs)('holds a catalog and a help file per node in %s', (lang) => {
    for (const t of types) {
      expect(existsSync(path.join(root, `nodes/locales/${lang}/${t}.json`)), `${lang}/${t}.json`).toBe(true);
      expect(existsSync(path.join(root, `nodes/locales/${lang}/${t}.html`)), `${lang}/${t}.html`).toBe(true);
    }
  });
});

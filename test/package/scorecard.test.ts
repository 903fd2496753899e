// What the Flow Library scorecard (node-red-dev validate) checks of a package, offline: its
// package.json, a licence file, examples, and for every node an icon, a help text and a palette
// label in each shipped language. The catalogue check (is the name free / already listed)
// needs the internet and is not repeated here. Plus the editor's own limit on status texts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, any>;
const types = Object.keys(pkg['node-red'].nodes as Record<string, string>);
const langs = readdirSync(path.join(root, 'nodes/locales'));
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

/** Each node type's editor definition, by running its editor script against a stub RED. */
function editorDefs(): Map<string, Record<string, unknown>> {
  const defs = new Map<string, Record<string, unknown>>();
  const validators = new Proxy({}, { get: () => () => () => true });
  const RED = { validators, nodes: { registerType: (t: string, d: Record<string, unknown>) => defs.set(t, d) }, _: (k: string) => k };
  for (const t of types) {
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(read(`nodes/${t}.html`))?.[1] ?? '';
    vm.runInNewContext(script, { RED, $: () => ({}) });
  }
  return defs;
}
const defs = editorDefs();

/** The leaves of a catalog object, as [dotted key, text]. */
function leaves(o: unknown, prefix = ''): Array<[string, string]> {
  if (typeof o === 'string') return [[prefix, o]];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('Flow Library scorecard, offline part', () => {
  it('package.json: a Node-RED package name, a repository and bugs URL, keywords, the Node-RED version', () => {
    // Unscoped names must start node-red-contrib- (a scoped @org/node-red-… name would be fine too).
    expect(pkg.name).toMatch(/^(node-red-contrib-[a-z0-9-]+|@[a-z0-9-]+\/node-red-[a-z0-9-]+)$/);
    expect(pkg.repository?.url ?? pkg.repository).toMatch(/^(git\+)?https:\/\//);
    expect(pkg.bugs?.url).toMatch(/^https:\/\//);
    expect(pkg.keywords).toContain('node-red');
    expect(pkg['node-red'].version).toMatch(/^>=\d+\.\d+\.\d+$/);
    expect(pkg.license).toBe('Apache-2.0');
    expect(typeof pkg.description).toBe('string');
  });

  it('ships a licence file that matches the licence field', () => {
    expect(read('LICENSE')).toContain('Apache License');
    expect(read('LICENSE')).toContain('Version 2.0');
  });

  it('ships examples: flow files under examples/ that use the nodes', () => {
    const files = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const used = new Set(files.flatMap((f) => (JSON.parse(read(`examples/${f}`)) as Array<{ type: string }>).map((n) => n.type)));
    expect(types.filter((t) => !used.has(t))).toEqual([]);
  });

  it('gives every node its own icon, a white SVG on transparent that exists and is named for the package', () => {
    const icons = types.map((t) => defs.get(t)?.icon as string);
    expect(new Set(icons).size).toBe(types.length);
    for (const icon of icons) {
      expect(icon).toMatch(/^chargeledger-[a-z-]+\.svg$/);
      const svg = read(`nodes/icons/${icon}`);
      expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 40 60"/);
      // White only: every fill and stroke colour is white or none (no background rectangle in a colour).
      expect([...svg.matchAll(/(?:fill|stroke)="([^"]+)"/g)].map((m) => m[1]).filter((c) => !['#fff', '#ffffff', 'white', 'none'].includes(c.toLowerCase()))).toEqual([]);
    }
  });

  it.each(langs)('has for every node a help text and a palette label in %s', (lang) => {
    for (const t of types) {
      const catalog = JSON.parse(read(`nodes/locales/${lang}/${t}.json`)) as Record<string, Record<string, unknown>>;
      expect(typeof catalog[t].paletteLabel, `${lang}/${t} paletteLabel`).toBe('string');
      expect(read(`nodes/locales/${lang}/${t}.html`)).toContain(`data-help-name="${t}"`);
      // The palette and the help tree show the catalog's label, for config nodes too.
      expect(typeof defs.get(t)?.paletteLabel, `${t}.html paletteLabel`).toBe('function');
    }
  });

  it.each(langs)('keeps every status text in %s under 20 characters with two-digit figures', (lang) => {
    const long: string[] = [];
    for (const t of types) {
      const catalog = JSON.parse(read(`nodes/locales/${lang}/${t}.json`)) as Record<string, Record<string, unknown>>;
      for (const [key, text] of leaves(catalog[t].status ?? {})) {
        // Figures are filled with two digits; free texts (an id, an error) are cut by the helper.
        const shown = text.replace(/__(\w+?)__/g, (_m, n: string) => (['count', 'seq', 'version', 'kW', 'currentA', 'limitA', 'age'].includes(n) ? '99' : 'x'));
        if (shown.length > 19) long.push(`${t}.status.${key}: ${shown}`);
      }
    }
    expect(long).toEqual([]);
  });

  it('has the same status keys in every language, and every key the runtime names', () => {
    const en = new Map(types.map((t) => [t, leaves((JSON.parse(read(`nodes/locales/en-US/${t}.json`)) as Record<string, Record<string, unknown>>)[t].status ?? {}).map(([k]) => k)]));
    for (const lang of langs) {
      for (const t of types) {
        const keys = leaves((JSON.parse(read(`nodes/locales/${lang}/${t}.json`)) as Record<string, Record<string, unknown>>)[t].status ?? {}).map(([k]) => k);
        expect(keys.sort(), `${lang}/${t}`).toEqual([...en.get(t)!].sort());
      }
    }
    // Every literal key a node passes to the status helper exists in its catalog.
    const fileOf: Record<string, string> = { 'chargeledger-config-in': 'config-in', 'chargeledger-load': 'load', 'chargeledger-meter': 'meter', 'chargeledger-price': 'price', 'chargeledger-record': 'record', 'chargeledger-report': 'report', 'chargeledger-session': 'session', 'chargeledger-sync': 'sync' };
    for (const [t, file] of Object.entries(fileOf)) {
      const src = read(`src/nodes/${file}.ts`);
      const literal = [...src.matchAll(/status(?:Ok|Warn|Fault|Idle)\(RED, node, ([^)]*)/g)].flatMap((m) => [...m[1].matchAll(/'([A-Za-z.]+)'/g)].map((k) => k[1]));
      expect(literal.length, file).toBeGreaterThan(0);
      for (const k of literal) expect(en.get(t), `${t}: ${k}`).toContain(k);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const registered = new Set(Object.keys(pkg['node-red'].nodes));
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** Output count and config-node properties of our node types, read from their editor files. */
function editorDef(type: string): { outputs: number; configProps: Record<string, string> } {
  const html = readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
  const outputs = Number(/outputs:\s*(\d+)/.exec(html)?.[1] ?? 0);
  const configProps: Record<string, string> = {};
  for (const m of html.matchAll(/(\w+):\s*\{[^}]*type:\s*'(chargeledger-[\w-]+)'/g)) configProps[m[1]] = m[2];
  return { outputs, configProps };
}

const files = [path.join(root, 'flows', 'charger.json'), ...readdirSync(path.join(root, 'examples')).map((f) => path.join(root, 'examples', f))];

describe.each(files.map((f) => [path.relative(root, f), f]))('%s', (_name, file) => {
  const flow: Array<Record<string, any>> = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(flow.map((n) => [n.id, n]));

  it('has unique ids, nodes on its own tabs and wires to existing nodes', () => {
    expect(byId.size).toBe(flow.length);
    const tabs = new Set(flow.filter((n) => n.type === 'tab').map((n) => n.id));
    expect(tabs.size).toBeGreaterThan(0);
    for (const n of flow) {
      if (n.z !== undefined) expect(tabs.has(n.z), `${n.id} on ${n.z}`).toBe(true);
      for (const port of n.wires ?? []) for (const target of port) expect(byId.has(target), `${n.id} → ${target}`).toBe(true);
    }
  });

  it('creates the charger link after every node it feeds (Node-RED drops messages to nodes not created yet, and the charger reports its state at once)', () => {
    const index = new Map(flow.map((n, i) => [n.id, i]));
    for (const link of flow.filter((n) => n.type === 'tcp in' || n.type === 'serial in')) {
      const seen = new Set<string>();
      const visit = (id: string): void => {
        for (const port of byId.get(id)?.wires ?? []) for (const t of port as string[]) {
          if (seen.has(t)) continue;
          seen.add(t);
          expect(index.get(t)!, `${link.id} feeds ${t}, which must come first in the file`).toBeLessThan(index.get(link.id)!);
          visit(t);
        }
      };
      for (const port of link.wires ?? []) for (const t of port as string[]) if (byId.get(t)?.type !== 'json') expect(index.get(t)!).toBeLessThan(index.get(link.id)!);
      for (const port of link.wires ?? []) for (const t of port as string[]) if (byId.get(t)?.type === 'json') visit(t);
    }
  });

  it('uses only registered ChargeLedger types, with their outputs wired and config nodes present', () => {
    for (const n of flow.filter((x) => String(x.type).startsWith('chargeledger-'))) {
      expect(registered.has(n.type), n.type).toBe(true);
      const def = editorDef(n.type);
      if (n.wires) expect(n.wires.length, `${n.id} outputs`).toBe(def.outputs);
      for (const [prop, type] of Object.entries(def.configProps)) expect(byId.get(n[prop])?.type, `${n.id}.${prop}`).toBe(type);
    }
  });

  it('takes site values from documented environment variables (flows) or concrete values (examples)', () => {
    const refs = [...JSON.stringify(flow).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    if (file.includes(`${path.sep}examples${path.sep}`)) expect(refs).toEqual([]);
    else for (const v of new Set(refs)) expect(readme, v).toContain(`\`${v}\``);
  });
});

// The operator page (FlowFuse Dashboard 2): one base at /dashboard, widgets on pages that
// exist, fed only from the ChargeLedger nodes' documented outputs, with bounded history.
const pageFiles = files.filter((f) => JSON.parse(readFileSync(f, 'utf8')).some((n: { type: string }) => n.type === 'ui-base'));

describe('operator page flows', () => {
  it('ship in the default flow and in examples/', () => {
    expect(pageFiles.map((f) => path.relative(root, f))).toEqual(expect.arrayContaining([path.join('flows', 'charger.json'), path.join('examples', '05 Operator page.json')]));
  });

  describe.each(pageFiles.map((f) => [path.relative(root, f), f]))('%s', (_name, file) => {
    const flow: Array<Record<string, any>> = JSON.parse(readFileSync(file, 'utf8'));
    const byId = new Map(flow.map((n) => [n.id, n]));

    it('has one ui-base at /dashboard and every widget on a group, page and base that exist', () => {
      const bases = flow.filter((n) => n.type === 'ui-base');
      expect(bases.map((b) => b.path)).toEqual(['/dashboard']);
      const pages = flow.filter((n) => n.type === 'ui-page');
      expect(pages.map((p) => p.name)).toEqual(['Now', 'Sessions', 'Money', 'Charge points']);
      for (const p of pages) expect(byId.get(p.ui)?.type).toBe('ui-base');
      for (const w of flow.filter((n) => /^ui-(template|table|chart|text|gauge)$/.test(n.type))) {
        expect(byId.get(w.group)?.type, w.id).toBe('ui-group');
        expect(byId.get(byId.get(w.group)!.page)?.type, w.id).toBe('ui-page');
      }
    });

    it("is fed only from ChargeLedger nodes' outputs (links and a status node on the sync node)", () => {
      const pageTab = flow.find((n) => n.type === 'tab' && flow.some((x) => x.z === n.id && x.type.startsWith('ui-')))!.id;
      const sources = new Map<string, string[]>();
      for (const n of flow) for (const port of n.wires ?? []) for (const t of port) sources.set(t, [...(sources.get(t) ?? []), n.id]);
      const linkIns = flow.filter((n) => n.z === pageTab && n.type === 'link in');
      expect(linkIns.length).toBeGreaterThan(0);
      for (const li of linkIns) {
        for (const lo of li.links) {
          expect(byId.get(lo)?.type).toBe('link out');
          for (const src of sources.get(lo) ?? []) {
            const s = byId.get(src)!;
            const ok = s.type.startsWith('chargeledger-') || s.id.endsWith('events_json') || (s.type === 'status' && s.scope.every((id: string) => byId.get(id)?.type === 'chargeledger-sync'));
            expect(ok, `${lo} fed by ${src} (${s.type})`).toBe(true);
          }
        }
      }
      // Nothing on the page's tab is fed from outside it except through those links.
      for (const n of flow.filter((x) => x.z === pageTab)) for (const src of sources.get(n.id) ?? []) expect(byId.get(src)!.z, `${src} → ${n.id}`).toBe(pageTab);
    });

    it('keeps bounded history: appending charts drop old points, the sessions list is a ring', () => {
      for (const c of flow.filter((n) => n.type === 'ui-chart')) {
        if (c.action === 'append') expect(Number(c.removeOlderPoints), c.id).toBeGreaterThan(0);
        else expect(c.action).toBe('replace');
      }
      const ring = flow.find((n) => n.type === 'function' && /ring/.test(n.name))!;
      expect(ring.func).toMatch(/if \(rows\.length > MAX\) rows\.length = MAX;/);
    });

    it('prices the open session with its own price node on the same tariff as the record', () => {
      const prices = flow.filter((n) => n.type === 'chargeledger-price');
      expect(prices).toHaveLength(2);
      expect(prices[0].tariff).toBe(prices[1].tariff);
      const session = flow.find((n) => n.type === 'chargeledger-session')!;
      expect(Number(session.updateIntervalS)).toBe(5);
    });
  });
});

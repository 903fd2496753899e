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

// The shipped flows and examples must open in the editor without a red triangle: every property
// passes the node's own editor validator (run with Node-RED's real RED.validators), and required
// ones are set. Why: a new property whose validator rejects `undefined` makes every flow saved
// before it invalid, which a technician sees as a broken node after an upgrade.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const types = Object.keys(pkg['node-red'].nodes);

type Def = { validate?: (this: unknown, v: unknown) => unknown; required?: boolean; type?: string; value?: unknown };

/** Node-RED's own RED.validators, taken from the installed editor. */
function realValidators(): unknown {
  const redJs = readFileSync(require.resolve('@node-red/editor-client/public/red/red.js', { paths: [root] }), 'utf8');
  const start = redJs.indexOf('RED.validators = {');
  const end = redJs.indexOf('};', redJs.indexOf('typedInput: function', start)) + 2;
  const sandbox = { RED: { _: (k: string) => k, utils: {} } as Record<string, unknown> };
  vm.runInNewContext(redJs.slice(start, end), sandbox);
  return sandbox.RED.validators;
}

/** Each node type's editor `defaults`, by running its editor script against a stub RED. */
function editorDefaults(): Map<string, Record<string, Def>> {
  const defs = new Map<string, Record<string, Def>>();
  const RED = { validators: realValidators(), nodes: { registerType: (t: string, d: { defaults: Record<string, Def> }) => defs.set(t, d.defaults) }, _: (k: string) => k };
  for (const t of types) {
    const html = readFileSync(path.join(root, 'nodes', `${t}.html`), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
    if (!script) throw new Error(`${t}.html has no editor script`);
    vm.runInNewContext(script, { RED, $: () => ({}) });
  }
  return defs;
}

const defaults = editorDefaults();
const files = [path.join(root, 'flows', 'charger.json'), ...readdirSync(path.join(root, 'examples')).map((f) => path.join(root, 'examples', f))];

describe('editor validation of the shipped flows', () => {
  it('reads the defaults of every node type', () => {
    expect([...defaults.keys()].sort()).toEqual([...types].sort());
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s: every ChargeLedger node is valid in the editor', (_name, file) => {
    const flow = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    const problems: string[] = [];
    for (const node of flow.filter((n) => defaults.has(String(n.type)))) {
      for (const [prop, def] of Object.entries(defaults.get(String(node.type))!)) {
        const v = node[prop];
        if (def.required && (v === undefined || v === '')) problems.push(`${String(node.id)}.${prop} is required`);
        if (def.validate && def.validate.call(node, v) !== true) problems.push(`${String(node.id)}.${prop} = ${JSON.stringify(v)} fails its validator`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a node saved before a property existed (the property missing) is still valid', () => {
    const flow = JSON.parse(readFileSync(path.join(root, 'flows', 'charger.json'), 'utf8')) as Array<Record<string, unknown>>;
    const problems: string[] = [];
    for (const node of flow.filter((n) => defaults.has(String(n.type)))) {
      for (const [prop, def] of Object.entries(defaults.get(String(node.type))!)) {
        // Only optional properties can be missing in an old flow; a required one always had to be set.
        if (def.required || !def.validate) continue;
        if (def.validate.call({ ...node, [prop]: undefined }, undefined) !== true) problems.push(`${String(node.type)}.${prop}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the load node in the shipped flows', () => {
  it.each(files.map((f) => [path.relative(root, f), f]))('%s: sets "send", so the editor shows it instead of an empty choice', (_name, file) => {
    const flow = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    for (const node of flow.filter((n) => n.type === 'chargeledger-load')) expect(node.send, String(node.id)).toMatch(/^(all|changes)$/);
  });
});

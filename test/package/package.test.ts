import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the npm package', () => {
  it('registers every node with its editor file beside a one-line shim into dist', () => {
    const nodes: Record<string, string> = pkg['node-red'].nodes;
    expect(Object.keys(nodes).length).toBeGreaterThanOrEqual(12);
    for (const [type, file] of Object.entries(nodes)) {
      expect(type).toMatch(/^chargeledger-/);
      expect(existsSync(path.join(root, file)), file).toBe(true);
      expect(existsSync(path.join(root, file.replace(/\.js$/, '.html'))), `${type}.html`).toBe(true);
      const shim = readFileSync(path.join(root, file), 'utf8').trim();
      expect(shim).toMatch(/^module\.exports = require\('\.\.\/dist\/src\/nodes\/[\w-]+\.js'\)\.default;$/);
      const html = readFileSync(path.join(root, file.replace(/\.js$/, '.html')), 'utf8');
      expect(html).toContain(`RED.nodes.registerType('${type}'`);
      // Help text lives in the node's locale file (see editor-files.test.ts).
      expect(readFileSync(path.join(root, path.dirname(file), 'locales/en-US', `${type}.html`), 'utf8')).toContain(`data-help-name="${type}"`);
    }
    expect(pkg['node-red'].version).toBe('>=4.1.0');
    expect(pkg.engines.node).toBe('>=20');
  });

  it('packs what a controller needs and no tests, fixtures, sources or maps', { timeout: 120_000 }, () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/chargeledger.js', 'runtime/start.js', 'flows/charger.json', 'nodes/icons/chargeledger-meter.svg', 'nodes/locales/de/chargeledger-meter.html', 'LICENSE', 'nodes/locales/en-US/chargeledger-meter.json', 'nodes/locales/en-US/chargeledger-meter.html', 'dist/src/cli/main.js']));
    expect(files.filter((f) => /^(test|bench|src|\.ci)\//.test(f) || /fixtures|\.map$|\.test\.|\.ts$/.test(f))).toEqual([]);
  });
});

// The editor as a new user finds it, in real Chromium (skipped where Chromium is not installed):
// a real Node-RED loads this package (needs the build), Chromium opens the editor and is driven
// over the DevTools protocol (playwright is not a dependency; `ws` comes with Node-RED).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';

const CHROMIUM = '/usr/bin/chromium';
const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require(require.resolve('ws', { paths: [path.dirname(require.resolve('node-red'))] })) as new (url: string) => { on(ev: string, fn: (...a: any[]) => void): void; send(s: string): void; close(): void };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const getJson = (url: string) => new Promise<any>((resolve, reject) => http.get(url, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => resolve(JSON.parse(b))); }).on('error', reject));

/** Poll until fn gives a truthy value (the editor loads asynchronously); no timing is asserted. */
async function until<T>(fn: () => Promise<T>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(150);
  }
  throw new Error('gave up waiting');
}

/** What a user sees in one language: the meter-port dialog and its port search. */
async function tryEditor(editorPort: number, lang: string): Promise<Record<string, any>> {
  const dbg = await freePort();
  const chrome = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', `--lang=${lang}`, `--accept-lang=${lang}`, `--remote-debugging-port=${dbg}`, `--user-data-dir=${mkdtempSync(path.join(tmpdir(), 'cl-chromium-'))}`, 'about:blank'], { stdio: 'ignore' });
  try {
    const targets = await until(() => getJson(`http://127.0.0.1:${dbg}/json`));
    const ws = new WebSocket(targets.find((t: { type: string }) => t.type === 'page').webSocketDebuggerUrl);
    await new Promise((r) => ws.on('open', r));
    let id = 0;
    const pending = new Map<number, (d: any) => void>();
    ws.on('message', (m: string) => {
      const d = JSON.parse(m);
      pending.get(d.id)?.(d);
      pending.delete(d.id);
    });
    const send = (method: string, params = {}) => new Promise<any>((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
    const js = async (expression: string) => (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result.result?.value;
    await send('Page.navigate', { url: `http://127.0.0.1:${editorPort}/` });
    await until(() => js("typeof RED !== 'undefined' && !!RED.nodes && !!RED.nodes.node('ex3_port') && !!RED.nodes.getType('chargeledger-meter-port')"));
    await js("RED.editor.editConfig('', 'chargeledger-meter-port', 'ex3_port')");
    const title = await until(() => js("$('#node-config-lookup-port').length && $('.red-ui-tray-titlebar').last().text()"));
    const modeAuto = await js("$('#node-config-input-mode option[value=auto]').text()");
    await js("$('#node-config-lookup-port').click()");
    const found = await until(() => js("$('#node-config-port-found').text().match(/\\d/) && $('#node-config-port-found').text()"));
    const list = await js("({ visible: $('#node-config-port-list').is(':visible'), items: $('#node-config-port-list li').map(function () { return $(this).text(); }).get() })");
    const palette = await js("['chargeledger-meter', 'chargeledger-load', 'chargeledger-meter-port', 'chargeledger-uplink', 'chargeledger-ledger', 'chargeledger-tariff'].map(function (t) { return RED.utils.getPaletteLabel(t, RED.nodes.getType(t)); })");
    const icons = await js("['chargeledger-meter', 'chargeledger-session', 'chargeledger-price', 'chargeledger-record', 'chargeledger-sync', 'chargeledger-load'].map(function (t) { return RED.nodes.getType(t).icon; })");
    ws.close();
    return { title, modeAuto, found, list, palette, icons };
  } finally {
    chrome.kill();
  }
}

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(path.join(root, 'dist/src/nodes/meter-port.js')))('the editor in real Chromium', () => {
  let red: ChildProcess;
  let editorPort: number;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cl-editor-'));
    mkdirSync(path.join(dir, 'user'));
    copyFileSync(path.join(root, 'examples', '03 Load limiting.json'), path.join(dir, 'user', 'flows.json'));
    editorPort = await freePort();
    const settings = { uiHost: '127.0.0.1', uiPort: editorPort, userDir: path.join(dir, 'user'), flowFile: 'flows.json', nodesDir: [root], lang: 'en-US', credentialSecret: 'test', chargeledgerDataDir: path.join(dir, 'data'), logging: { console: { level: 'warn' } }, editorTheme: { tours: false, palette: { catalogues: [] } }, diagnostics: { enabled: false }, runtimeState: { enabled: false }, telemetry: { enabled: false } };
    writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};`);
    red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', path.join(dir, 'settings.js')], { stdio: 'ignore' });
    await until(() => getJson(`http://127.0.0.1:${editorPort}/settings`));
  }, 60_000);

  afterAll(() => {
    red?.kill();
  });

  it('shows human labels, one icon per node, and the ports found at once in a list to click', { timeout: 90_000 }, async () => {
    const en = await tryEditor(editorPort, 'en-US');
    expect(en.title).toContain('meter port');
    expect(en.title).not.toContain('chargeledger-meter-port');
    expect(en.modeAuto).toBe('as the profile says');
    expect(en.palette).toEqual(['meter', 'load limit', 'meter port', 'uplink', 'ledger', 'tariff']);
    expect(new Set(en.icons).size).toBe(6);
    expect(en.found).toMatch(/port\(s\) found|no serial port found/);
    // The list is there as soon as the answer is: no typing into the field needed to see it.
    expect(en.list.visible).toBe(en.list.items.length > 0);
    expect(en.list.items.filter((p: string) => p.startsWith('/dev/pts/'))).toEqual([]);
  });

  it('speaks German to a German browser', { timeout: 90_000 }, async () => {
    const de = await tryEditor(editorPort, 'de');
    expect(de.title).toContain('Zähler-Port');
    expect(de.modeAuto).toBe('wie das Profil sagt');
    expect(de.palette).toEqual(['Zähler', 'Lastbegrenzung', 'Zähler-Port', 'Uplink', 'Journal', 'Tarif']);
    expect(de.found).toMatch(/Port\(s\) gefunden|kein serieller Port gefunden/);
  });
});

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startRuntime, type StartedRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';

// The operator's page (/dashboard, FlowFuse Dashboard 2 in the shipped flow) in a real headless
// Chromium, against the runtime exactly as `npm start` runs it with the simulator.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = needBinary('chromium');
const OPERATOR = { username: 'operator', password: 'e2e-operator-password' };
const shots = path.resolve(__dirname, '..', '..', 'test-results', 'dashboard');

describe.skipIf(!hasChromium)('operator page in a browser', () => {
  let rt: StartedRuntime;
  let client: mqtt.MqttClient;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let base: string;
  const records: Array<{ rec: any; atMs: number }> = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    rt = await startRuntime({ CHARGELEDGER_OPERATOR_PASSWORD: OPERATOR.password });
    base = `http://127.0.0.1:${rt.editorPort}`;
    client = await waitFor(async () => {
      try {
        return await mqtt.connectAsync(`mqtt://127.0.0.1:${rt.brokerPort}`, { reconnectPeriod: 0, connectTimeout: 1000 });
      } catch {
        return null;
      }
    }, 20000, 200);
    client.on('message', (_t, payload) => records.push({ rec: JSON.parse(payload.toString()), atMs: Date.now() }));
    await client.subscribeAsync(`chargeledger/${rt.stationId}/sessions`, { qos: 1 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    ctx = await browser.newContext({ httpCredentials: OPERATOR, acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    await waitFor(async () => (await fetch(`${base}/dashboard`).catch(() => null))?.status === 401, 20000, 200);
  }, 40000);

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync(true);
    if (rt && rt.child.exitCode === null) await rt.stop();
  });

  it('needs the operator login; the page data (socket.io) does too', async () => {
    expect((await fetch(`${base}/dashboard`)).status).toBe(401);
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await fetch(`${base}/dashboard`, { headers: basic('operator', 'wrong') })).status).toBe(401);
    expect((await fetch(`${base}/dashboard`, { headers: basic('admin', rt.password) })).status).toBe(401);
    expect((await fetch(`${base}/dashboard`, { headers: basic(OPERATOR.username, OPERATOR.password) })).status).toBe(200);
    // A socket.io client without the login gets the handshake, but its connect is refused.
    const io = `${base}/dashboard/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(io)).text();
    const sid = JSON.parse(open.slice(1)).sid as string;
    await fetch(`${io}&sid=${sid}`, { method: 'POST', body: '40' });
    expect(await (await fetch(`${io}&sid=${sid}`)).text()).toContain('operator login required');
  });

  it("shows both connectors' live power change on the Now page", async () => {
    await page.goto(`${base}/dashboard/now`);
    const seen: Record<string, Set<string>> = { '1': new Set(), '2': new Set() };
    await waitFor(async () => {
      for (const id of ['1', '2']) {
        const text = await page.locator(`tr[data-connector="${id}"] .cl-power`).textContent().catch(() => null);
        if (text) seen[id].add(text);
      }
      return seen['1'].size >= 2 && seen['2'].size >= 2;
    }, 60000, 500);
    await expect(page.locator('.cl-site').textContent()).resolves.toMatch(/L1 .* A \/ 63 A/);
    await expect(page.locator('.cl-meters').textContent()).resolves.toMatch(/CP1-1: ok/);
    await expect(page.locator('.cl-sync').textContent()).resolves.toMatch(/backlog/);
    await page.screenshot({ path: path.join(shots, 'now.png'), fullPage: true });
  }, 70000);

  it("shows a finished session in the sessions table with the signed record's revenue, cost and margin", async () => {
    await page.goto(`${base}/dashboard/sessions`);
    const { rec, atMs } = await waitFor(() => records.find((r) => r.rec.pricing?.revenue), 100000, 100);
    const row = page.locator(`tr[data-session="${rec.id}"]`);
    await row.waitFor({ timeout: 20000 });
    const shownMs = Date.now();
    const endMs = Date.parse(rec.session.endTime);
    console.log(`session ${rec.id}: end → record on MQTT ${atMs - endMs} ms, end → row on the page ≤ ${shownMs - endMs} ms`);
    expect(await row.locator('.cl-revenue').textContent()).toBe(`${rec.pricing.revenue.total.exclVat} ${rec.pricing.currency}`);
    expect(await row.locator('.cl-cost').textContent()).toBe(rec.pricing.cost.total.exclVat);
    expect(await row.locator('.cl-margin').textContent()).toBe(rec.pricing.margin);
    if (rec.session.idTag) expect(await row.textContent()).toContain(rec.session.idTag);
    expect(await row.textContent()).toContain((rec.session.energyWh / 1000).toFixed(3));
    await page.screenshot({ path: path.join(shots, 'sessions.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.cl-csv').click()]);
    expect(download.suggestedFilename()).toBe('sessions.csv');
    const file = path.join(shots, 'sessions.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('seq,id,start,connector,energyWh,durationMin,idTag,currency,revenue,revenueInclVat,cost,margin,flags');
    const line = lines.find((l) => l.includes(rec.id))!;
    expect(line.split(',').slice(8, 12)).toEqual([rec.pricing.revenue.total.exclVat, rec.pricing.revenue.total.inclVat, rec.pricing.cost.total.exclVat, rec.pricing.margin]);
  }, 130000);

  it('shows the money charts and the charge-point table', async () => {
    await page.goto(`${base}/dashboard/money`);
    await page.locator('.cl-margin-kwh').waitFor({ timeout: 70000 });
    expect(await page.locator('.cl-margin-kwh').textContent()).toMatch(/Margin per kWh: -?\d+\.\d{3} \w+\/kWh/);
    await page.locator('canvas').first().waitFor({ timeout: 10000 });
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: path.join(shots, 'money.png'), fullPage: true });

    await page.goto(`${base}/dashboard/charge-points`);
    const row = page.locator('.cl-cps tbody tr', { hasText: /\d{4}-\d\d-\d\d/ }).first();
    await row.waitFor({ timeout: 70000 });
    expect(await row.textContent()).toMatch(/%/);
    await page.screenshot({ path: path.join(shots, 'charge-points.png'), fullPage: true });
  }, 150000);

  it('shows the stored sessions again after a restart', async () => {
    const { rec } = records.find((r) => r.rec.pricing?.revenue)!;
    const { code } = await rt.stop();
    expect(code).toBe(0);
    rt = await startRuntime({ CHARGELEDGER_OPERATOR_PASSWORD: OPERATOR.password }, rt.dataDir);
    base = `http://127.0.0.1:${rt.editorPort}`;
    await waitFor(async () => (await fetch(`${base}/dashboard`).catch(() => null))?.status === 401, 20000, 200);
    await page.goto(`${base}/dashboard/sessions`);
    const row = page.locator(`tr[data-session="${rec.id}"]`);
    await row.waitFor({ timeout: 20000 });
    expect(await row.locator('.cl-margin').textContent()).toBe(rec.pricing.margin);
  }, 60000);

  it('does not let the operator open the editor, and its failed logins never lock out admin', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`${OPERATOR.username}:${OPERATOR.password}`).toString('base64')}` };
    expect((await fetch(`${base}/flows`, { headers: basic })).status).toBe(401);
    const token = (username: string, password: string) =>
      fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password }),
      });
    expect((await token(OPERATOR.username, OPERATOR.password)).status).toBe(403);
    // In the browser: the editor asks for a login the operator's credentials do not pass.
    const editor = await ctx.newPage();
    await editor.goto(`${base}/`);
    await editor.locator('#node-dialog-login-fields, #red-ui-login-dialog, input[name=username]').first().waitFor({ timeout: 20000 });
    await editor.close();
    for (let i = 0; i < 6; i++) expect((await fetch(`${base}/dashboard`, { headers: { authorization: `Basic ${Buffer.from('operator:wrong').toString('base64')}` } })).status).toBe(401);
    expect((await token('admin', rt.password)).status).toBe(200);
  }, 40000);
});

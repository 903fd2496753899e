'use strict';
// Memory of the operator page (/dashboard, FlowFuse Dashboard 2): the Node-RED process's
// resident memory with the default flow minus the page (Dashboard 2 not loaded), with the page idle, and with one
// headless Chromium showing the Now page (then every page). Target: the page adds < 30 MiB.
// Needs /usr/bin/chromium for the browser rows (apt-get install chromium).
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SETTLE_MS = 25000;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Median RSS over `n` samples one second apart, MiB. */
async function sampleRss(pid, n = 8) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    xs.push(rssMiB(pid));
    await sleep(1000);
  }
  xs.sort((a, b) => a - b);
  return Math.round(xs[Math.floor(n / 2)] * 10) / 10;
}

/** The shipped flow without the operator page (its nodes and the links to it). */
function flowWithoutPage() {
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'flows', 'charger.json'), 'utf8'));
  const keep = flow.filter((n) => !n.id.startsWith('cl_dash_'));
  for (const n of keep) if (n.wires) n.wires = n.wires.map((port) => port.filter((id) => !id.startsWith('cl_dash_')));
  return keep;
}

/** Start `npm start` on a temp dir; with `flow`, that flow is deployed instead of the shipped one. */
async function start(flow, extraEnv = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-dash-'));
  if (flow) {
    // runtime/start.js keeps a deployed flow whose stamp matches the shipped flow's digest.
    const userDir = path.join(dataDir, 'node-red');
    fs.mkdirSync(userDir, { recursive: true });
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
    const shipped = fs.readFileSync(path.join(root, 'flows', 'charger.json'), 'utf8');
    fs.writeFileSync(path.join(userDir, '.chargeledger-flow-source'), crypto.createHash('sha256').update(shipped).digest('hex'));
  }
  const editorPort = await freePort();
  const env = { ...process.env, CHARGELEDGER_DATA_DIR: dataDir, CHARGELEDGER_PORT: String(editorPort), CHARGELEDGER_BROKER_PORT: String(await freePort()), CHARGELEDGER_ADMIN_PASSWORD: 'bench', CHARGELEDGER_OPERATOR_PASSWORD: 'bench-op', CHARGELEDGER_STATION_ID: 'bench', CHARGELEDGER_METER: 'sim', CHARGELEDGER_MQTT_URL: '', ...extraEnv };
  const child = spawn(process.execPath, [path.join(root, 'runtime', 'start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 30000;
  while (!/Started flows/.test(out) && Date.now() < deadline) await sleep(100);
  const pid = Number((/Node-RED starting: .* \(pid (\d+)\)/.exec(out) || [])[1]);
  const stop = () => new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  return { pid, base: `http://127.0.0.1:${editorPort}`, stop, dataDir };
}

async function run() {
  const rows = [];
  // Without the page: its nodes removed from the flow and Dashboard 2 not loaded at all.
  const without = await start(flowWithoutPage(), { CHARGELEDGER_BENCH_NO_DASHBOARD: '1' });
  try {
    await sleep(SETTLE_MS);
    rows.push({ name: 'Node-RED RSS, default flow without the page (Dashboard 2 not loaded), idle', value: await sampleRss(without.pid), unit: 'MiB' });
  } finally {
    await without.stop();
  }
  const withPage = await start(null);
  try {
    await sleep(SETTLE_MS);
    const idle = await sampleRss(withPage.pid);
    rows.push({ name: 'Node-RED RSS, with the page, idle', value: idle, unit: 'MiB' });
    rows.push({ name: 'page increase, idle', value: Math.round((idle - rows[0].value) * 10) / 10, unit: 'MiB', target: '< 30' });
    if (!fs.existsSync('/usr/bin/chromium')) return [...rows, { name: 'with one browser', value: 'skipped: no /usr/bin/chromium', unit: '' }];
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: process.getuid() === 0 ? ['--no-sandbox'] : [] });
    try {
      const page = await (await browser.newContext({ httpCredentials: { username: 'operator', password: 'bench-op' } })).newPage();
      await page.goto(`${withPage.base}/dashboard/now`);
      await sleep(SETTLE_MS);
      const one = await sampleRss(withPage.pid);
      rows.push({ name: 'Node-RED RSS, one browser on the Now page', value: one, unit: 'MiB' });
      rows.push({ name: 'page increase, one browser', value: Math.round((one - rows[0].value) * 10) / 10, unit: 'MiB', target: '< 30' });
      for (const p of ['sessions', 'money', 'charge-points', 'now']) {
        await page.goto(`${withPage.base}/dashboard/${p}`);
        await sleep(3000);
      }
      rows.push({ name: 'Node-RED RSS, after visiting every page', value: await sampleRss(withPage.pid), unit: 'MiB' });
    } finally {
      await browser.close();
    }
  } finally {
    await withPage.stop();
  }
  return rows;
}

module.exports = { run };

'use strict';
// Start-up and memory of the runtime as `npm start` runs it: time from spawn to the first
// meter reading on MQTT telemetry, to the first session record, and the Node-RED process's
// resident memory with the default flow beside bare Node-RED (no ChargeLedger, empty flow).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const mqtt = require('mqtt');

const root = path.resolve(__dirname, '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, MiB, from /proc. */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The Node-RED child of the supervisor (start.js logs its pid). */
function nodeRedPid(output) {
  const m = /Node-RED starting: .* \(pid (\d+)\)/.exec(output);
  return m ? Number(m[1]) : null;
}

async function connectMqtt(url, deadline) {
  for (;;) {
    try {
      return await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function measureChargeLedger() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-rt-'));
  const [editorPort, brokerPort] = [await freePort(), await freePort()];
  const t0 = Date.now();
  let out = '';
  const child = spawn(process.execPath, [path.join(root, 'runtime', 'start.js')], {
    env: { ...process.env, CHARGELEDGER_DATA_DIR: dataDir, CHARGELEDGER_PORT: String(editorPort), CHARGELEDGER_BROKER_PORT: String(brokerPort), CHARGELEDGER_ADMIN_PASSWORD: 'bench', CHARGELEDGER_STATION_ID: 'bench', CHARGELEDGER_METER: 'sim', CHARGELEDGER_MQTT_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const client = await connectMqtt(`mqtt://127.0.0.1:${brokerPort}`, Date.now() + 30000);
    let firstReadingMs = null;
    let firstRecordMs = null;
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/telemetry') && firstReadingMs === null) {
        const t = JSON.parse(payload.toString());
        if (JSON.stringify(t).includes('powerW')) firstReadingMs = Date.now() - t0;
      }
      if (topic.endsWith('/sessions') && firstRecordMs === null) firstRecordMs = Date.now() - t0;
    });
    await client.subscribeAsync(['chargeledger/bench/telemetry', 'chargeledger/bench/sessions'], { qos: 1 });
    const deadline = Date.now() + 90000;
    while ((firstRecordMs === null || firstReadingMs === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pid = nodeRedPid(out);
    const rss = pid ? rssMiB(pid) : NaN;
    await client.endAsync(true);
    return { firstReadingMs, firstRecordMs, rss };
  } finally {
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  }
}

async function measureBareNodeRed() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-bare-'));
  fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = { uiHost: '127.0.0.1', uiPort: ${await freePort()}, flowFile: 'flows.json', diagnostics: { enabled: false }, telemetry: { enabled: false } };`);
  const redJs = require.resolve('node-red/red.js', { paths: [root] });
  const child = spawn(process.execPath, [redJs, '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const deadline = Date.now() + 30000;
  while (!/Started flows/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 3000));
  const rss = rssMiB(child.pid);
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  return rss;
}

async function run() {
  const cl = await measureChargeLedger();
  const bare = await measureBareNodeRed();
  return [
    { name: 'start to first meter reading (telemetry)', value: cl.firstReadingMs ?? NaN, unit: 'ms' },
    { name: 'start to first session record on MQTT', value: cl.firstRecordMs ?? NaN, unit: 'ms', target: '< 60000' },
    { name: 'Node-RED RSS, default ChargeLedger flow', value: Math.round(cl.rss * 10) / 10, unit: 'MiB' },
    { name: 'Node-RED RSS, bare (empty flow)', value: Math.round(bare * 10) / 10, unit: 'MiB' },
  ];
}

module.exports = { run };

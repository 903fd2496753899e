// Benchmark: end-to-end latency from the last byte of a site-meter telegram written into a real
// pseudo-terminal (socat) to the setpoint messages out of chargeledger-load, through the real
// Node-RED runtime (node-red-node-test-helper) with the meter-port, meter and load nodes and
// 32 charging connectors. Reports p50 and p99 to the first and to the last of the 32 messages,
// and to the reading leaving the meter node (the part of the path before the load node).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const CONNECTORS = 32;
const SAMPLES = 400;

function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const v = check();
      if (v) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

async function startSocat(dir) {
  const meterPath = path.join(dir, 'meter');
  const hostPath = path.join(dir, 'controller');
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${meterPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  await waitFor(() => log.includes('starting data transfer loop') && fs.existsSync(meterPath) && fs.existsSync(hostPath), 5000, 'socat');
  return { proc, meterPath, hostPath };
}

function siteTelegram(encode, fields, currentA, nowMs) {
  const snapshot = { meterId: 'SITE', energyImportWh: 1_000_000, powerW: 20_000, voltageV: [230, 230, 230], currentA, frequencyHz: 50 };
  return encode(fields(snapshot, nowMs), '/CLS5\\2ChargeLedgerSim');
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function run() {
  if (spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status !== 0) {
    return [{ name: 'site telegram → setpoints, 32 connectors (socat missing)', value: NaN, unit: 'ms' }];
  }
  const helper = require('node-red-node-test-helper');
  helper.init(require.resolve('node-red', { paths: [root] }));
  const { encodeDsmrTelegram } = require('../dist/src/core/meter/dsmr');
  const { telegramFields } = require('../dist/hardware/simulator/telegram');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-load-'));
  const socat = await startSocat(dir);
  const fd = fs.openSync(socat.meterPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const connectors = Array.from({ length: CONNECTORS }, (_, i) => ({ id: String(i + 1), phases: i % 4 === 3 ? 1 : 3, phase: (i % 3) + 1, minCurrentA: 6, maxCurrentA: 32, priority: 0 }));
  const flow = [
    { id: 'port', type: 'chargeledger-meter-port', port: socat.hostPath, profile: 'simulator', staleTimeoutS: 30 },
    // 'reading' splits the path: how much of the latency is the pty, serial port and meter node.
    { id: 'meter', type: 'chargeledger-meter', port: 'port', meterId: '', wires: [['load', 'reading'], ['load']] },
    { id: 'reading', type: 'helper' },
    { id: 'load', type: 'chargeledger-load', siteMeterId: 'SITE', siteCurrentA: '400', connectors, safeCurrentA: 6, validForS: 10, siteTimeoutS: 5, rampStepA: 4, hysteresisA: 1, reserveA: 1, minOnS: 300, minOffS: 120, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];
  const nodes = ['chargeledger-meter-port', 'chargeledger-meter', 'chargeledger-load'].map((t) => require(path.join(root, 'nodes', `${t}.js`)));
  const firstMs = [];
  const lastMs = [];
  const readingMs = [];
  try {
    await helper.load(nodes, flow);
    const load = helper.getNode('load');
    let got = 0;
    let batchStart = 0;
    let pending = null;
    helper.getNode('out').on('input', () => {
      got++;
      if (!pending) return;
      if (got === 1) pending.first = performance.now() - batchStart;
      if (got === CONNECTORS) {
        pending.last = performance.now() - batchStart;
        const p = pending;
        pending = null;
        p.resolve(p);
      }
    });
    helper.getNode('reading').on('input', () => {
      if (pending) readingMs.push(performance.now() - batchStart);
    });
    for (const c of connectors) load.receive({ payload: { connectorId: c.id, event: 'start' } });
    // Warm up until the port is open and readings flow through.
    const send = (k) => {
      got = 0;
      const result = new Promise((resolve) => (pending = { resolve }));
      const telegram = siteTelegram(encodeDsmrTelegram, telegramFields, [100 + (k % 9), 101 + (k % 7), 99 + (k % 5)], Date.now());
      const buf = Buffer.from(telegram, 'latin1');
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off);
      batchStart = performance.now(); // the last byte is in the pty
      return result;
    };
    await Promise.race([send(0), new Promise((_, rej) => setTimeout(() => rej(new Error('no setpoints from the first telegram')), 10000))]);
    for (let k = 1; k <= SAMPLES; k++) {
      const r = await Promise.race([send(k), new Promise((res) => setTimeout(() => res(null), 2000))]);
      if (r) {
        firstMs.push(r.first);
        lastMs.push(r.last);
      }
      await new Promise((res) => setTimeout(res, 5));
    }
  } finally {
    await helper.unload().catch(() => {});
    fs.closeSync(fd);
    socat.proc.kill('SIGTERM');
    await new Promise((res) => (socat.proc.exitCode !== null ? res() : socat.proc.once('exit', res)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  firstMs.sort((a, b) => a - b);
  lastMs.sort((a, b) => a - b);
  readingMs.sort((a, b) => a - b);
  const r2 = (x) => Math.round(x * 100) / 100;
  return [
    { name: `site telegram → first setpoint, ${CONNECTORS} connectors, p50`, value: r2(quantile(firstMs, 0.5)), unit: 'ms' },
    { name: `site telegram → first setpoint, ${CONNECTORS} connectors, p99`, value: r2(quantile(firstMs, 0.99)), unit: 'ms' },
    { name: `site telegram → all ${CONNECTORS} setpoints, p50`, value: r2(quantile(lastMs, 0.5)), unit: 'ms' },
    { name: `site telegram → all ${CONNECTORS} setpoints, p99`, value: r2(quantile(lastMs, 0.99)), unit: 'ms', target: '< 5' },
    { name: 'of which: site telegram → reading out of the meter node, p50', value: r2(quantile(readingMs, 0.5)), unit: 'ms' },
    { name: 'of which: site telegram → reading out of the meter node, p99', value: r2(quantile(readingMs, 0.99)), unit: 'ms' },
    { name: 'site telegram → setpoints, samples lost', value: SAMPLES - lastMs.length, unit: 'count', target: 0 },
  ];
}

module.exports = { run };

if (require.main === module) {
  run().then(
    (rows) => {
      console.table(rows);
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

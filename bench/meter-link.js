'use strict';
// Meter port benchmark: latency from the last byte of a DSMR telegram written into a real
// pseudo-terminal (socat) to the decoded reading out of a MeterFeed (serialport + readline
// parser + decoder), next to the bare serialport 'data' event on the same pty as a baseline,
// so the share of the serial stack and of ChargeLedger's code can be told apart; the bare stack
// both with serialport's thread-pool read and with ChargeLedger's direct read.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const SAMPLES = 300;
/** Telegrams sent before sampling, so the JIT has compiled the path (a meter runs for years). */
const WARMUP = 30;

function telegram(crc, wh) {
  const kwh = (wh / 1000).toFixed(3).padStart(10, '0');
  const body = ['/CLS5\\2ChargeLedgerSim', '', '1-3:0.2.8(50)', '0-0:1.0.0(251125040000W)', '0-0:96.1.1(53495445)', `1-0:1.8.0(${kwh}*kWh)`, '1-0:2.8.0(000000.000*kWh)',
    '1-0:1.7.0(11.040*kW)', '1-0:2.7.0(00.000*kW)', '1-0:32.7.0(230.1*V)', '1-0:52.7.0(230.2*V)', '1-0:72.7.0(230.3*V)', '1-0:31.7.0(016.00*A)', '1-0:51.7.0(016.00*A)',
    '1-0:71.7.0(016.00*A)', '1-0:14.7.0(50.00*Hz)', '!'].join('\r\n');
  return Buffer.from(`${body}${crc.formatCrc16(crc.crc16arc(Buffer.from(body, 'latin1')))}\r\n`, 'latin1');
}

async function socatPair() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-link-'));
  const a = path.join(dir, 'meter');
  const b = path.join(dir, 'controller');
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 5000;
  while (!(log.includes('starting data transfer loop') && fs.existsSync(a) && fs.existsSync(b))) {
    if (Date.now() > deadline) throw new Error('socat did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  const stop = async () => {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { a, b, stop };
}

/** Write SAMPLES telegrams one at a time; `arm(resolve)` must call resolve when one came out. */
async function measure(fd, crc, arm) {
  const lat = [];
  for (let k = -WARMUP; k < SAMPLES; k++) {
    const buf = telegram(crc, 1_000_000 + k);
    let t0 = 0;
    const done = new Promise((resolve) => arm(() => resolve(performance.now() - t0)));
    fs.writeSync(fd, buf);
    t0 = performance.now();
    const ms = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), 2000))]);
    if (ms !== null && k >= 0) lat.push(ms);
    await new Promise((r) => setTimeout(r, 3));
  }
  return lat.sort((x, y) => x - y);
}

const q = (s, f) => Math.round(s[Math.min(s.length - 1, Math.floor(f * s.length))] * 100) / 100;

async function run() {
  if (spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status !== 0) {
    return [{ name: 'pty telegram → reading (socat missing)', value: NaN, unit: 'ms' }];
  }
  const { SerialPort } = require('serialport');
  const { directReadBinding } = require('../dist/src/adapters/serial/direct-read.js');
  const crc = require('../dist/src/core/meter/crc16.js');
  const { MeterLink } = require('../dist/src/adapters/serial/meter-link.js');
  const { MeterFeed } = require('../dist/src/adapters/serial/meter-feed.js');
  const { createMeterDecoder } = require('../dist/src/core/meter/decoder.js');
  const { loadProfile } = require('../dist/src/adapters/profiles.js');
  const serial = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 };

  const pair = await socatPair();
  const fd = fs.openSync(pair.a, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  let raw;
  let rawDirect;
  let fed;
  let lost = 0;
  try {
    // The bare serial stack twice: serialport's own read (thread pool) and ChargeLedger's direct
    // read on the event-loop thread (src/adapters/serial/direct-read.ts), interleaved in rounds
    // so that drift on the machine hits both alike.
    const rawBy = { pool: [], direct: [] };
    for (let round = 0; round < 3; round++) {
      for (const mode of ['pool', 'direct']) {
        const sp = new SerialPort({ path: pair.b, ...serial, ...(mode === 'direct' ? { binding: directReadBinding } : {}) });
        await new Promise((r, j) => sp.once('open', r).once('error', j));
        let acc = '';
        let notify = null;
        sp.on('data', (d) => {
          acc += d.toString('latin1');
          if (/!\w{4}\r\n$/.test(acc)) {
            acc = '';
            notify?.();
          }
        });
        rawBy[mode].push(...(await measure(fd, crc, (cb) => (notify = cb))));
        await new Promise((r) => sp.close(r));
      }
    }
    raw = rawBy.pool.sort((x, y) => x - y);
    rawDirect = rawBy.direct.sort((x, y) => x - y);

    const feed = new MeterFeed(new MeterLink({ address: { kind: 'serial', path: pair.b }, serial, mode: 'push' }), createMeterDecoder(loadProfile('simulator')));
    let onReading = null;
    feed.on('decoded', (ev) => (ev.ok ? onReading?.() : lost++));
    await feed.open();
    fed = await measure(fd, crc, (cb) => (onReading = cb));
    await feed.close();
  } finally {
    fs.closeSync(fd);
    await pair.stop();
  }
  return [
    { name: 'pty telegram → serialport data event, thread-pool read (baseline), p50', value: q(raw, 0.5), unit: 'ms' },
    { name: 'pty telegram → serialport data event, thread-pool read (baseline), p99', value: q(raw, 0.99), unit: 'ms' },
    { name: 'pty telegram → serialport data event, direct read, p50', value: q(rawDirect, 0.5), unit: 'ms' },
    { name: 'pty telegram → serialport data event, direct read, p99', value: q(rawDirect, 0.99), unit: 'ms' },
    { name: 'pty telegram → decoded reading (MeterFeed), p50', value: q(fed, 0.5), unit: 'ms', target: '< 1' },
    { name: 'pty telegram → decoded reading (MeterFeed), p99', value: q(fed, 0.99), unit: 'ms' },
    { name: 'pty telegrams rejected or lost', value: lost + (SAMPLES - fed.length), unit: 'count', target: 0 },
  ];
}

module.exports = { run };

if (require.main === module) {
  run().then(
    (rows) => console.table(rows),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

'use strict';
// Benchmark: end-to-end latency from the last byte of a site-meter telegram written into a real
// pseudo-terminal (socat) to the setpoint messages out of chargeledger-load, through the REAL
// Node-RED runtime (node-red/red.js in a child process, this package loaded via nodesDir).
// Two runs, each in a fresh child:
//   1. meter-port → meter → load (32 charging connectors) → cl-bench-probe (bench/probe/), which
//      stamps each message with CLOCK_MONOTONIC as it arrives: the moment it is out of the node;
//   2. the same, with every setpoint carried as a line by a function node and tcp out to a TCP
//      server in this process (adds the wiring and a second process's wake-up).
//   tcp in (charger events, JSON lines) → json → load, in both.
// Reports p50 and p99 to the first and to the last of the 32 setpoints of a decision, and to the
// reading leaving the meter node. The bench process only writes, waits and timestamps.
// Env: CL_BENCH_SAMPLES (default 1000), CL_BENCH_GAP_MS (pause after each decision, default 5),
// CL_BENCH_NODE_ARGS (extra node flags for the child, e.g. "--trace-gc" or
// "--cpu-prof --cpu-prof-dir=/tmp/prof"), CL_BENCH_VERBOSE=1 (child output).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const CONNECTORS = 32;
const WARMUP = 20;
const SAMPLES = Number(process.env.CL_BENCH_SAMPLES || 1000);
const GAP_MS = Number(process.env.CL_BENCH_GAP_MS || 5);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const v = check();
      if (v) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 2);
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

/**
 * A TCP server on a free 127.0.0.1 port that counts newline-terminated lines, timestamping each
 * chunk. `ack`: reply to every chunk. Why: Node-RED's tcp out does not set TCP_NODELAY, so Nagle
 * holds a line until the previous one is acknowledged, and a receiver that never sends delays its
 * ACKs up to 40 ms: a p99 of ~44 ms that is the probe, not the product. A reply carries the ACK
 * at once. The tcp out client never reads, so 64 KiB sent first fill its stream buffer and it
 * stops reading: the replies then cost the Node-RED process nothing.
 */
async function lineServer(ack) {
  const s = { lines: 0, onLines: null, sockets: new Set(), server: net.createServer() };
  s.server.on('connection', (sock) => {
    if (ack) sock.write(Buffer.alloc(65536, 10));
    s.sockets.add(sock);
    sock.on('close', () => s.sockets.delete(sock));
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      const at = performance.now();
      let n = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      s.lines += n;
      if (n && s.onLines) s.onLines(s.lines, at);
      if (ack) sock.write('\n');
    });
  });
  await new Promise((r) => s.server.listen(0, '127.0.0.1', r));
  s.port = s.server.address().port;
  s.close = () => {
    for (const sock of s.sockets) sock.destroy();
    return new Promise((r) => s.server.close(() => r()));
  };
  return s;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The 32 connectors and the flow under test. `probe`: stamp in the runtime; otherwise lines over tcp out. */
function flows(hostPath, ports, probe) {
  const connectors = Array.from({ length: CONNECTORS }, (_, i) => ({ id: String(i + 1), phases: i % 4 === 3 ? 1 : 3, phase: (i % 3) + 1, minCurrentA: 6, maxCurrentA: 32, priority: 0 }));
  const tcpOut = (id, port) => ({ id, type: 'tcp out', z: 'tab', host: '127.0.0.1', port: String(port), beserver: 'client', base64: false, end: false, tls: '', wires: [] });
  const toLine = (id, next) => ({ id, type: 'function', z: 'tab', func: 'msg.payload = JSON.stringify(msg.payload) + "\\n";\nreturn msg;', outputs: 1, wires: [[next]] });
  const common = [
    { id: 'tab', type: 'tab', label: 'load latency bench' },
    { id: 'port', type: 'chargeledger-meter-port', port: hostPath, profile: 'simulator', staleTimeoutS: 30 },
    { id: 'events', type: 'tcp in', z: 'tab', server: 'client', host: '127.0.0.1', port: String(ports.events), datamode: 'stream', datatype: 'utf8', newline: '\\n', topic: '', trim: false, base64: false, tls: '', wires: [['eventJson']] },
    { id: 'eventJson', type: 'json', z: 'tab', property: 'payload', action: 'obj', pretty: false, wires: [['load']] },
    { id: 'load', type: 'chargeledger-load', z: 'tab', siteMeterId: 'SITE', siteCurrentA: '400', connectors, safeCurrentA: 6, validForS: 10, siteTimeoutS: 5, rampStepA: 4, hysteresisA: 1, reserveA: 1, minOnS: 300, minOffS: 120, wires: [[probe ? 'probe' : 'setpointLine']] },
  ];
  // The reading is wired to the probe (or its line) before 'load', so Node-RED delivers it there
  // first and its stamp is not queued behind the 32 setpoints.
  if (probe) {
    return {
      connectors,
      flow: [
        ...common,
        { id: 'meter', type: 'chargeledger-meter', z: 'tab', port: 'port', meterId: '', wires: [['probe', 'load'], ['load']] },
        { id: 'probe', type: 'cl-bench-probe', z: 'tab', count: CONNECTORS, wires: [] },
      ],
    };
  }
  return {
    connectors,
    flow: [
      ...common,
      { id: 'meter', type: 'chargeledger-meter', z: 'tab', port: 'port', meterId: '', wires: [['readingLine', 'load'], ['load']] },
      toLine('readingLine', 'readingOut'),
      tcpOut('readingOut', ports.reading),
      toLine('setpointLine', 'setpointOut'),
      tcpOut('setpointOut', ports.setpoints),
    ],
  };
}

function siteTelegram(encode, fields, currentA, nowMs) {
  const snapshot = { meterId: 'SITE', energyImportWh: 1_000_000, powerW: 20_000, voltageV: [230, 230, 230], currentA, frequencyHz: 50 };
  return encode(fields(snapshot, nowMs), '/CLS5\\2ChargeLedgerSim');
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // Node-RED stops its flows on SIGTERM (and a --cpu-prof child writes its profile then).
  if (await Promise.race([exited.then(() => true), sleep(10000).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

/**
 * One run of the flow in a fresh Node-RED child. `probe` true: stamps taken in the runtime where
 * the setpoints leave chargeledger-load (the target's definition); false: lines carried by a
 * function node and tcp out to this process (adds a second process, a vm call and a socket write
 * per setpoint). Returns the latencies in ms from the last telegram byte in the pty.
 */
async function measure(probe) {
  const { encodeDsmrTelegram } = require('../dist/src/core/meter/dsmr');
  const { telegramFields } = require('../dist/hardware/simulator/telegram');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-load-'));
  const userDir = path.join(dir, 'node-red');
  fs.mkdirSync(userDir);
  let socat = null;
  let child = null;
  let fd = null;
  const servers = [];
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const out = { firstMs: [], lastMs: [], readingMs: [], lost: 0 };
  let output = '';
  try {
    socat = await startSocat(dir);
    const events = await lineServer(false);
    servers.push(events);
    const setpoints = probe ? null : await lineServer(true);
    const readings = probe ? null : await lineServer(true);
    if (!probe) servers.push(setpoints, readings);
    const { flow, connectors } = flows(socat.hostPath, { setpoints: setpoints?.port, reading: readings?.port, events: events.port }, probe);
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: await freePort(),
      flowFile: 'flows.json',
      nodesDir: probe ? [root, path.join(__dirname, 'probe')] : [root],
      credentialSecret: false,
      functionExternalModules: false,
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      diagnostics: { enabled: false },
      runtimeState: { enabled: false },
      telemetry: { enabled: false },
      logging: { console: { level: 'warn', metrics: false, audit: false } },
      editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
    };
    fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
    const redJs = require.resolve('node-red/red.js', { paths: [root] });
    const extra = (process.env.CL_BENCH_NODE_ARGS || '').split(/\s+/).filter(Boolean);
    child = spawn(process.execPath, [...extra, redJs, '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const onOut = (d) => {
      output = (output + d).slice(-20000);
      if (process.env.CL_BENCH_VERBOSE) process.stderr.write(d);
    };
    child.stdout.on('data', onOut);
    child.stderr.on('data', onOut);
    const died = new Promise((_, rej) => child.once('exit', (code, sig) => rej(new Error(`Node-RED exited (${code ?? sig}): ${output.slice(-2000)}`))));
    died.catch(() => {});
    const within = (p, ms, what) => Promise.race([p, died, sleep(ms).then(() => Promise.reject(new Error(`timed out waiting for ${what}: ${output.slice(-2000)}`)))]);

    // Decisions as seen by this process: a count, and the stamps (CLOCK_MONOTONIC ns) of the newest.
    let decisions = 0;
    let onDecision = null;
    if (probe) {
      child.on('message', (m) => {
        decisions++;
        onDecision?.({ reading: m.reading === null ? undefined : BigInt(m.reading), first: BigInt(m.first), last: BigInt(m.last) });
      });
    } else {
      let base = 0;
      let first;
      let reading;
      readings.onLines = (_n, at) => (reading ??= at);
      setpoints.onLines = (n, at) => {
        first ??= at;
        while (n - base >= CONNECTORS) {
          base += CONNECTORS;
          decisions++;
          onDecision?.({ reading, first, last: at });
          first = undefined;
          reading = undefined;
        }
      };
    }
    // Ready when the tcp in client (and the tcp out clients) have connected.
    const connected = () => events.sockets.size && (probe || (setpoints.sockets.size && readings.sockets.size));
    await within(waitFor(connected, 60000, 'connections'), 60000, 'Node-RED flows to connect');
    // Every connector charging: each event makes one (fail-safe) decision of 32 setpoints.
    [...events.sockets][0].write(connectors.map((c) => `${JSON.stringify({ connectorId: c.id, event: 'start' })}\n`).join(''));
    await within(waitFor(() => decisions >= CONNECTORS, 10000, 'event setpoints'), 10000, 'the start events to be decided');

    fd = fs.openSync(socat.meterPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    // In tcp mode stamps are performance.now() ms of this process; in probe mode hrtime ns.
    const elapsedMs = (t0, t) => (t === undefined ? undefined : probe ? Number(t - t0.ns) / 1e6 : t - t0.ms);
    const send = async (k, timeoutMs) => {
      const base = decisions;
      let got = null;
      const done = new Promise((resolve) => {
        onDecision = (d) => {
          got ??= d;
          resolve(true);
        };
      });
      const telegram = siteTelegram(encodeDsmrTelegram, telegramFields, [100 + (k % 9), 101 + (k % 7), 99 + (k % 5)], Date.now());
      const buf = Buffer.from(telegram, 'latin1');
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off);
      const t0 = { ns: process.hrtime.bigint(), ms: performance.now() }; // the last byte is in the pty
      const ok = await Promise.race([done, died, sleep(timeoutMs).then(() => false)]);
      await sleep(GAP_MS);
      onDecision = null;
      // Another decision in the same window (watchdog, partial telegram) is not a clean sample.
      if (!ok || decisions - base !== 1) return null;
      return { first: elapsedMs(t0, got.first), last: elapsedMs(t0, got.last), reading: elapsedMs(t0, got.reading) };
    };
    // The port opens asynchronously: retry until a telegram comes through, then let it settle.
    const deadline = Date.now() + 30000;
    while (!(await send(0, 500))) if (Date.now() > deadline) throw new Error(`no setpoints from the site telegram: ${output.slice(-2000)}`);
    await sleep(200);
    for (let k = 1; k <= WARMUP + SAMPLES; k++) {
      const r = await send(k, 2000);
      if (k <= WARMUP) continue;
      if (!r) {
        out.lost++;
        continue;
      }
      out.firstMs.push(r.first);
      out.lastMs.push(r.last);
      if (r.reading !== undefined) out.readingMs.push(r.reading);
    }
  } finally {
    process.removeListener('exit', killOnExit);
    await stopChild(child).catch(() => {});
    if (fd !== null) fs.closeSync(fd);
    for (const s of servers) await s.close();
    if (socat) {
      socat.proc.kill('SIGTERM');
      await new Promise((res) => (socat.proc.exitCode !== null || socat.proc.signalCode !== null ? res() : socat.proc.once('exit', res)));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const a of [out.firstMs, out.lastMs, out.readingMs]) a.sort((x, y) => x - y);
  return out;
}

async function run() {
  if (spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status !== 0) {
    return [{ name: 'site telegram → setpoints, 32 connectors (socat missing)', value: NaN, unit: 'ms' }];
  }
  const r2 = (x) => (x === undefined ? NaN : Math.round(x * 100) / 100);
  const q = (a, p) => r2(quantile(a, p));
  const inRuntime = await measure(true);
  const viaTcp = await measure(false);
  return [
    { name: `site telegram → first setpoint out of the node, ${CONNECTORS} connectors, p50`, value: q(inRuntime.firstMs, 0.5), unit: 'ms' },
    { name: `site telegram → first setpoint out of the node, ${CONNECTORS} connectors, p99`, value: q(inRuntime.firstMs, 0.99), unit: 'ms' },
    { name: `site telegram → all ${CONNECTORS} setpoints out of the node, p50`, value: q(inRuntime.lastMs, 0.5), unit: 'ms' },
    { name: `site telegram → all ${CONNECTORS} setpoints out of the node, p99`, value: q(inRuntime.lastMs, 0.99), unit: 'ms', target: '< 5' },
    { name: `site telegram → all ${CONNECTORS} setpoints out of the node, max`, value: q(inRuntime.lastMs, 1), unit: 'ms' },
    { name: 'of which: site telegram → reading out of the meter node, p50', value: q(inRuntime.readingMs, 0.5), unit: 'ms' },
    { name: 'of which: site telegram → reading out of the meter node, p99', value: q(inRuntime.readingMs, 0.99), unit: 'ms' },
    { name: `via function + tcp out to another process: all ${CONNECTORS} setpoint lines, p50`, value: q(viaTcp.lastMs, 0.5), unit: 'ms' },
    { name: `via function + tcp out to another process: all ${CONNECTORS} setpoint lines, p99`, value: q(viaTcp.lastMs, 0.99), unit: 'ms' },
    { name: 'site telegram → setpoints, samples lost', value: inRuntime.lost + viaTcp.lost, unit: 'count', target: 0 },
  ];
}

module.exports = { run, measure };

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

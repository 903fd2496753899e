// Benchmark: a backlog of 100,000 signed records in the station's LevelDB outbox drains to a
// local mosquitto while the reference receiver (`chargeledger receive`, its own process)
// verifies, fsyncs and acks with signed acks, which the station checks. Reports records/s (target >= 2,000/s) and the station process's
// memory while draining, which must not grow with the backlog.
'use strict';
/* global setInterval, clearInterval, __filename */
const { fork, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Level } = require('level');

const dist = (p) => require(path.join(__dirname, '..', 'dist', 'src', p));
const { sealRecord, keyIdOf, GENESIS_PREV } = dist('core/ledger/record.js');
const { createDerSigner, generateEcKeyPair, spkiToPem } = dist('adapters/crypto/ecdsa.js');
const { LedgerStore } = dist('adapters/store/ledger-store.js');
const { LevelOutbox } = dist('adapters/store/outbox.js');
const { SUBLEVELS, seqKey } = dist('adapters/store/layout.js');
const { UplinkClient } = dist('adapters/mqtt/uplink-client.js');
const { OutboxPump } = dist('adapters/mqtt/outbox-pump.js');
const { AckGuard } = dist('adapters/mqtt/ack-guard.js');
const { ackSignatureCheck, loadAckPublicKeys } = dist('adapters/crypto/ack-keys.js');

const N = Number(process.env.CL_BENCH_SYNC_RECORDS || 100_000);
const STATION = 'BENCH-1';

const { freePort, waitFor } = require('./lib/util');

function session(n) {
  const start = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const end = new Date(Date.UTC(2026, 0, 1) + n * 60_000 + 1_800_000).toISOString();
  return {
    id: `${STATION}-s${n}`, stationId: STATION, chargerId: 'CP1', connectorId: String((n % 4) + 1),
    startTime: start, endTime: end, durationS: 1800, chargingTimeS: 1700, idleTimeS: 100,
    energyWh: 5000 + (n % 1000), avgPowerW: 10000, peakPowerW: 11000,
    startReading: { energyWh: 100000 + n * 6000, time: start, meterId: 'CP1-1', meterSeq: n * 2 },
    endReading: { energyWh: 105000 + n * 6000 + (n % 1000), time: end, meterId: 'CP1-1', meterSeq: n * 2 + 1 },
    periods: [], stopReason: 'ev', flags: [],
  };
}

/** Seal N chained records straight into the ledger's LevelDB layout (outbox entries included). */
async function fillLedger(dbPath, key) {
  const db = new Level(dbPath, { valueEncoding: 'utf8' });
  await db.open();
  const sub = (name) => db.sublevel(name, { valueEncoding: 'utf8' });
  const rec = sub(SUBLEVELS.records);
  const sid = sub(SUBLEVELS.bySession);
  const out = sub(SUBLEVELS.outbox);
  let prev = GENESIS_PREV;
  let ops = [];
  for (let seq = 1; seq <= N; seq++) {
    const r = sealRecord({ session: session(seq), seq, prev, stationId: STATION, keyId: key.keyId, createdAt: session(seq).endTime },
      { gatewayId: 'ChargeLedger', gatewaySerial: STATION, timeStatus: 'I' }, key.sign);
    prev = r.hash;
    const k = seqKey(seq);
    ops.push({ type: 'put', sublevel: rec, key: k, value: JSON.stringify(r) }, { type: 'put', sublevel: sid, key: r.id, value: k }, { type: 'put', sublevel: out, key: k, value: r.id });
    if (ops.length >= 3000) {
      await db.batch(ops);
      ops = [];
    }
  }
  ops.push({ type: 'put', sublevel: sub(SUBLEVELS.meta), key: 'head', value: JSON.stringify({ seq: N, hash: prev }) });
  await db.batch(ops);
  await db.close();
}

async function startMosquitto(dir, port) {
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 0', 'max_inflight_messages 0', 'user root', 'log_type error', ''].join('\n'));
  const bin = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => require('node:fs').existsSync(p)) || 'mosquitto';
  const proc = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  await waitFor(() => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  }), 10_000);
  return proc;
}

async function stop(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const MB = 2 ** 20;

/** Anonymous and file-backed resident memory, MB (Linux; NaN elsewhere). LevelDB mmaps its
 * table files, so total RSS also counts clean, reclaimable pages of the tables it has read. */
function rssParts() {
  try {
    const st = require('node:fs').readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? NaN);
    return { anonMB: kb('RssAnon') / 1024, fileMB: kb('RssFile') / 1024 };
  } catch {
    return { anonMB: NaN, fileMB: NaN };
  }
}

/**
 * The station side, in a fresh child process (so neither the setup's sealing nor other benches
 * of bench/run.js count): open the filled ledger, drain it through the pump, and sample memory.
 * At 10/50/90 % of the drain it also takes the live heap after a full GC, which (unlike heapUsed
 * at a random moment) does not depend on when the collector last ran.
 */
async function station(dir, url) {
  const store = new LedgerStore(path.join(dir, 'ledger'));
  await store.ready;
  const outbox = new LevelOutbox(store);
  const total = await outbox.size();
  const uplink = new UplinkClient({ brokerUrl: url, stationId: STATION, prefix: 'chargeledger', clientId: 'bench-station', version: 'bench' });
  uplink.setBacklogProvider(() => outbox.size());
  // As in production: the station takes only acks signed by the backend's key.
  const ackGuard = new AckGuard({ stationId: STATION, verify: ackSignatureCheck(loadAckPublicKeys(path.join(dir, 'ack-key.pub.pem'))) });
  const pump = new OutboxPump(uplink, outbox, { ackGuard, rate: { ratePerS: 1_000_000, burst: 2000 }, maxInFlight: 2000, batchSize: 500, ackTimeoutMs: 60_000, maxPubackPending: 200 });
  let left = total;
  pump.on('backlog', (n) => (left = n));
  global.gc();
  const idle = process.memoryUsage();
  let peakHeap = 0;
  let peakRss = 0;
  const marks = [0.1, 0.5, 0.9].map((at) => ({ at, heapMB: NaN, liveHeapMB: NaN, rssMB: NaN, anonMB: NaN, fileMB: NaN }));
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
    const drained = (total - left) / total;
    if (process.env.CL_BENCH_SYNC_TRACE) process.stderr.write(`${Math.round(drained * 100)}% heap ${round(m.heapUsed / MB)} tot ${round(m.heapTotal / MB)} ext ${round(m.external / MB)} ab ${round(m.arrayBuffers / MB)} rss ${round(m.rss / MB)} inflight ${pump.inFlight}\n`);
    for (const k of marks) {
      if (!Number.isNaN(k.heapMB) || drained < k.at) continue;
      k.heapMB = m.heapUsed / MB;
      k.rssMB = m.rss / MB;
      Object.assign(k, rssParts());
      global.gc();
      k.liveHeapMB = process.memoryUsage().heapUsed / MB;
      if (process.env.CL_BENCH_SYNC_SNAPSHOT) require('node:v8').writeHeapSnapshot(path.join(process.env.CL_BENCH_SYNC_SNAPSHOT, `station-${k.at * 100}.heapsnapshot`));
    }
  };
  const tStart = Date.now();
  const timer = setInterval(sample, 100);
  pump.start();
  uplink.start();
  await waitFor(async () => (await outbox.size()) === 0, 300_000, 20);
  const drainS = (Date.now() - tStart) / 1000;
  clearInterval(timer);
  sample();
  await pump.stop();
  await uplink.close();
  await store.close();
  return { refused: Object.values(ackGuard.refused).reduce((a, b) => a + b, 0), total, drainS, idle: { heapMB: idle.heapUsed / MB, rssMB: idle.rss / MB }, marks, peakHeapMB: peakHeap / MB, peakRssMB: peakRss / MB };
}

/** Run the benchmark; resolves to result rows. */
async function run() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-bench-sync-'));
  const procs = [];
  try {
    const kp = generateEcKeyPair('prime256v1');
    const key = { keyId: keyIdOf(kp.publicKeySpki), sign: createDerSigner(kp.privateKeyPem) };
    mkdirSync(path.join(dir, 'keys'));
    writeFileSync(path.join(dir, 'keys', 'station.pem'), spkiToPem(kp.publicKeySpki));
    const t0 = Date.now();
    await fillLedger(path.join(dir, 'ledger'), key);
    const fillS = (Date.now() - t0) / 1000;

    const port = await freePort();
    procs.push(await startMosquitto(dir, port));
    const url = `mqtt://127.0.0.1:${port}`;
    const rx = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'chargeledger.js'), 'receive', '--broker', url, '--pubkey', path.join(dir, 'keys'), '--out', path.join(dir, 'received'), '--ack-key', path.join(dir, 'ack-key.pem')], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(rx);
    let rxErr = '';
    rx.stderr.on('data', (d) => (rxErr += String(d)));
    await waitFor(() => /subscribed to/.test(rxErr), 10_000);

    const child = fork(__filename, ['--station', dir, url], { execArgv: ['--expose-gc', ...(process.env.CL_BENCH_SYNC_STATION_FLAGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    procs.push(child);
    const r = await new Promise((resolve, reject) => {
      child.once('message', (m) => (m.error ? reject(new Error(`station: ${m.error}`)) : resolve(m)));
      child.once('exit', (code) => reject(new Error(`station process exited (${code}) without a result`)));
    });
    if (r.total !== N) throw new Error(`outbox held ${r.total}, expected ${N}`);
    if (r.refused) throw new Error(`the station refused ${r.refused} signed acks`);
    const rows = [{ name: `sync: drain ${N} records to mosquitto, receiver acking`, value: Math.round(N / r.drainS), unit: 'records/s', target: 2000 }];
    rows.push({ name: 'sync: station heap before the drain (after GC)', value: round(r.idle.heapMB), unit: 'MB' });
    // Live heap (after a full GC) and RSS at 10/50/90 % drained: flat if memory does not grow
    // with the backlog (a leak per record would add ~40,000 records' worth between marks).
    for (const k of r.marks) rows.push({ name: `sync: station live heap at ${k.at * 100}% drained (after GC)`, value: round(k.liveHeapMB), unit: 'MB' });
    for (const k of r.marks) rows.push({ name: `sync: station anonymous RSS at ${k.at * 100}% drained`, value: round(k.anonMB), unit: 'MB' });
    for (const k of r.marks) rows.push({ name: `sync: station RSS at ${k.at * 100}% drained (incl. mmapped LevelDB tables)`, value: round(k.rssMB), unit: 'MB' });
    rows.push({ name: 'sync: station peak heap used while draining (incl. garbage)', value: round(r.peakHeapMB), unit: 'MB' });
    rows.push({ name: 'sync: station peak RSS while draining', value: round(r.peakRssMB), unit: 'MB' });
    rows.push({ name: `sync: seal + store ${N} records (setup, bench process)`, value: round(fillS), unit: 's' });
    return rows;
  } finally {
    for (const p of procs.reverse()) await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run };

if (require.main === module && process.argv[2] === '--station') {
  station(process.argv[3], process.argv[4]).then(
    (r) => process.send(r, () => process.exit(0)),
    (e) => process.send({ error: e.stack || String(e) }, () => process.exit(1)),
  );
} else if (require.main === module) {
  run().then(
    (rows) => console.table(rows),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

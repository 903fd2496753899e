// Benchmark: a backlog of 100,000 signed records in the station's LevelDB outbox drains to a
// local mosquitto while the reference receiver (`chargeledger receive`, its own process)
// verifies, fsyncs and acks. Reports records/s (target >= 2,000/s) and the station process's
// memory while draining, which must not grow with the backlog.
'use strict';
/* global setInterval, clearInterval */
const { spawn } = require('node:child_process');
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

const N = Number(process.env.CL_BENCH_SYNC_RECORDS || 100_000);
const STATION = 'BENCH-1';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(check, timeoutMs, stepMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

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

/** Run the benchmark; resolves to result rows. */
async function run() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-bench-sync-'));
  const procs = [];
  let store;
  let uplink;
  let pump;
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
    const rx = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'chargeledger.js'), 'receive', '--broker', url, '--pubkey', path.join(dir, 'keys'), '--out', path.join(dir, 'received')], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(rx);
    let rxErr = '';
    rx.stderr.on('data', (d) => (rxErr += String(d)));
    await waitFor(() => /subscribed to/.test(rxErr), 10_000);

    store = new LedgerStore(path.join(dir, 'ledger'));
    await store.ready;
    const outbox = new LevelOutbox(store);
    if ((await outbox.size()) !== N) throw new Error(`outbox holds ${await outbox.size()}, expected ${N}`);
    uplink = new UplinkClient({ brokerUrl: url, stationId: STATION, prefix: 'chargeledger', clientId: 'bench-station', version: 'bench' });
    uplink.setBacklogProvider(() => outbox.size());
    pump = new OutboxPump(uplink, outbox, { rate: { ratePerS: 1_000_000, burst: 2000 }, maxInFlight: 2000, batchSize: 500, ackTimeoutMs: 60_000, maxPubackPending: 200 });
    global.gc?.();
    const samples = [];
    const sample = async () => {
      const m = process.memoryUsage();
      samples.push({ left: await outbox.size(), heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 });
    };
    const tStart = Date.now();
    const timer = setInterval(() => void sample(), 250);
    pump.start();
    uplink.start();
    await waitFor(async () => (await outbox.size()) === 0, 300_000, 20);
    const drainS = (Date.now() - tStart) / 1000;
    clearInterval(timer);
    await sample();

    // Peak heap while the first half drains vs the second half: about equal if memory does not
    // grow with the backlog (a leak per record would show ~N/2 records' worth of difference).
    const firstHalf = samples.filter((s) => s.left > N / 2);
    const secondHalf = samples.filter((s) => s.left <= N / 2);
    const peak = (xs) => Math.max(...xs.map((s) => s.heapMB));
    const peakRss = Math.max(...samples.map((s) => s.rssMB));
    const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
    return [
      { name: `sync: drain ${N} records to mosquitto, receiver acking`, value: Math.round(N / drainS), unit: 'records/s', target: 2000 },
      { name: 'sync: peak heap, first half of the backlog draining', value: round(peak(firstHalf)), unit: 'MB' },
      { name: 'sync: peak heap, second half of the backlog draining', value: round(peak(secondHalf)), unit: 'MB' },
      { name: 'sync: peak RSS while draining (station process)', value: round(peakRss), unit: 'MB' },
      { name: `sync: seal + store ${N} records (setup)`, value: round(fillS), unit: 's' },
    ];
  } finally {
    await pump?.stop().catch(() => undefined);
    await uplink?.close().catch(() => undefined);
    await store?.close?.().catch?.(() => undefined);
    for (const p of procs.reverse()) await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run };

if (require.main === module) {
  run().then(
    (rows) => console.table(rows),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

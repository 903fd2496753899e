'use strict';
// Benchmark: the station under an ack flood. A hostile client on the same mosquitto publishes,
// every second, the flood of the hostile test (100 ack messages of 10,000 ids) plus 100 messages
// of 1000 ids on the station's acks topic, while the station appends fsync'd records to its
// ledger and its sync pump (with the signed-ack guard) listens. Reports the append latency p50/p99 without and with the flood, the station's
// CPU time per second of flood and its RSS growth, and how many forged acks removed a record (0).
/* global __filename */
const { fork, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const dist = (p) => require(path.join(__dirname, '..', 'dist', 'src', p));

const STATION = 'FLOOD-1';
const APPENDS = Number(process.env.CL_BENCH_FLOOD_APPENDS || 150);

const { freePort, waitFor } = require('./lib/util');

function session(n) {
  const start = Date.UTC(2026, 0, 1) + n * 60_000;
  const reading = (wh, t) => ({ energyWh: wh, time: new Date(t).toISOString(), meterId: 'CP1-1', meterSeq: n });
  return {
    id: `${STATION}-s${n}`, stationId: STATION, chargerId: 'CP1', connectorId: '1',
    startTime: new Date(start).toISOString(), endTime: new Date(start + 1_800_000).toISOString(), durationS: 1800, chargingTimeS: 1700, idleTimeS: 100,
    energyWh: 5000, avgPowerW: 10000, peakPowerW: 11000, startReading: reading(n * 10_000, start), endReading: reading(n * 10_000 + 5000, start + 1_800_000),
    periods: [], stopReason: 'ev', flags: [],
  };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The station process: a ledger, a sync pump guarded by the backend key, appends timed. */
async function station(dir, url, ackPub) {
  const { openStation } = dist('adapters/store/station.js');
  const { UplinkClient } = dist('adapters/mqtt/uplink-client.js');
  const { OutboxPump } = dist('adapters/mqtt/outbox-pump.js');
  const { AckGuard } = dist('adapters/mqtt/ack-guard.js');
  const { ackSignatureCheck, loadAckPublicKeys } = dist('adapters/crypto/ack-keys.js');
  const st = openStation({ dataDir: dir, stationId: STATION, identity: { gatewayId: 'ChargeLedger', gatewaySerial: STATION, timeStatus: 'I' }, sync: true });
  await st.store.ready;
  const uplink = new UplinkClient({ brokerUrl: url, stationId: STATION, prefix: 'chargeledger', clientId: 'flood-station', version: 'bench' });
  const guard = new AckGuard({ stationId: STATION, verify: ackSignatureCheck(loadAckPublicKeys(ackPub)) });
  // A long ack timeout and no backend: records stay in the outbox unless a forged ack removes them.
  const pump = new OutboxPump(uplink, st.outbox, { ackGuard: guard, ackTimeoutMs: 600_000 });
  let acked = 0;
  pump.on('acked', (n) => (acked += n));
  const connected = new Promise((r) => uplink.once('connect', r));
  pump.start();
  uplink.start();
  await connected;
  let n = 0;
  const appendRound = async () => {
    const lat = [];
    for (let i = 0; i < APPENDS; i++) {
      const t = process.hrtime.bigint();
      await st.store.append(session(++n));
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return lat;
  };
  const calm = await appendRound();
  process.send({ phase: 'calm-done' });
  await new Promise((r) => process.once('message', r)); // the flood has started
  const rss0 = process.memoryUsage().rss;
  const cpu0 = cpuMs();
  const t0 = Date.now();
  const flood = await appendRound();
  await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - t0))));
  const floodS = (Date.now() - t0) / 1000;
  const cpu = (cpuMs() - cpu0) / floodS;
  const rssGrowthMB = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const left = await st.outbox.size();
  await pump.stop();
  await uplink.close();
  await st.store.close();
  return { calm, flood, cpuMsPerS: cpu, rssGrowthMB, refused: guard.refused, removed: acked, appended: n, left };
}

async function run() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-bench-flood-'));
  const procs = [];
  try {
    const { loadOrCreateAckKey } = dist('adapters/crypto/ack-keys.js');
    const ack = loadOrCreateAckKey(path.join(dir, 'ack-key.pem'));
    const port = await freePort();
    const conf = path.join(dir, 'mosquitto.conf');
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 0', 'user root', 'log_type error', ''].join('\n'));
    const bin = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => require('node:fs').existsSync(p)) || 'mosquitto';
    const mosq = spawn(bin, ['-c', conf], { stdio: 'ignore' });
    procs.push(mosq);
    await waitFor(() => new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    }), 10_000);
    const url = `mqtt://127.0.0.1:${port}`;
    const child = fork(__filename, ['--station', path.join(dir, 'station'), url, ack.publicKeyFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    procs.push(child);
    let flooder = null;
    const r = await new Promise((resolve, reject) => {
      child.on('message', (m) => {
        if (m.phase === 'calm-done') {
          flooder = fork(__filename, ['--flood', url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          procs.push(flooder);
          flooder.once('message', () => child.send('go'));
        } else if (m.error) reject(new Error(`station: ${m.error}`));
        else resolve(m);
      });
      child.once('exit', (code) => reject(new Error(`station process exited (${code}) without a result`)));
    });
    const refused = Object.values(r.refused).reduce((a, b) => a + b, 0);
    return [
      { name: 'ack flood: ledger append (fsync) p50, no flood', value: pct(r.calm, 50), unit: 'ms' },
      { name: 'ack flood: ledger append (fsync) p99, no flood', value: pct(r.calm, 99), unit: 'ms' },
      { name: 'ack flood: ledger append (fsync) p50, during the flood', value: pct(r.flood, 50), unit: 'ms' },
      { name: 'ack flood: ledger append (fsync) p99, during the flood', value: pct(r.flood, 99), unit: 'ms' },
      { name: 'ack flood: station CPU per second of flood', value: Math.round(r.cpuMsPerS), unit: 'ms/s' },
      { name: 'ack flood: station RSS growth during the flood', value: Math.round(r.rssGrowthMB * 10) / 10, unit: 'MB' },
      { name: 'ack flood: forged ack messages refused (by reason in results.json)', value: refused, unit: 'messages' },
      { name: 'ack flood: records removed by forged acks', value: r.removed, unit: 'records', target: 0 },
      { name: 'ack flood: refusals by reason', value: JSON.stringify(r.refused), unit: '' },
    ];
  } finally {
    for (const p of procs.reverse()) {
      if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((res) => p.once('exit', res));
        p.kill('SIGTERM');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The hostile client: each second, 100 ack messages of 10,000 ids and 100 of 1000 ids (forged, unsigned). */
async function flood(url) {
  const mqtt = require('mqtt');
  const { formatAck } = dist('core/sync/ack.js');
  const c = await mqtt.connectAsync(url, { clientId: 'hostile' });
  const ids = (n) => formatAck(Array.from({ length: n }, (_, i) => `${STATION}-s${i}`));
  const tenK = ids(10_000);
  const oneK = ids(1000);
  process.send('started');
  let stop = false;
  process.once('SIGTERM', () => (stop = true));
  while (!stop) {
    const t = Date.now();
    for (let i = 0; i < 100; i++) await c.publishAsync(`chargeledger/${STATION}/acks`, tenK, { qos: 1 });
    for (let i = 0; i < 100; i++) await c.publishAsync(`chargeledger/${STATION}/acks`, oneK, { qos: 1 });
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t))));
  }
  await c.endAsync();
  process.exit(0);
}

module.exports = { run };

if (require.main === module && process.argv[2] === '--station') {
  station(process.argv[3], process.argv[4], process.argv[5]).then(
    (r) => process.send(r, () => process.exit(0)),
    (e) => process.send({ error: e.stack || String(e) }, () => process.exit(1)),
  );
} else if (require.main === module && process.argv[2] === '--flood') {
  flood(process.argv[3]);
} else if (require.main === module) {
  run().then((rows) => console.table(rows), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}

'use strict';
// Ledger benchmarks: ECDSA signatures and OCMF verifications per second, records appended per
// second (fsync'd, as the record node writes them, and unsynced), bytes on disk per record, and the
// resident memory of a process that opens and uses a ledger holding 10,000 vs 1,000,000 records.
// The 1,000,000-record ledger is filled in big raw batches with small template records (about
// 600 bytes each, versus about 2.5 kB for a real signed record) to keep the run short.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createDerSigner, generateEcKeyPair } = require('../dist/src/adapters/crypto/ecdsa.js');
const { verifyOcmfString } = require('../dist/src/adapters/crypto/ledger.js');
const { buildOcmfPayload } = require('../dist/src/core/ocmf/build.js');
const { signOcmf } = require('../dist/src/core/ocmf/sign.js');
const { openStation } = require('../dist/src/adapters/store/station.js');
const { LedgerStore } = require('../dist/src/adapters/store/ledger-store.js');
const { seqKey, SEP } = require('../dist/src/adapters/store/layout.js');

const identity = { gatewayId: 'ChargeLedger', gatewaySerial: 'ST1', timeStatus: 'I' };

function session(n) {
  const start = Date.UTC(2025, 10, 25) + n * 60_000;
  const reading = (wh, t) => ({ energyWh: wh, time: new Date(t).toISOString(), meterId: 'CP1-1', meterSeq: n });
  const periods = Array.from({ length: 8 }, (_, i) => ({ start: new Date(start + i * 900_000).toISOString(), end: new Date(start + (i + 1) * 900_000).toISOString(), energyWh: 2760, chargingS: 900, idleS: 0, maxPowerW: 11040, maxCurrentA: 16 }));
  return {
    id: `bench-${n}`, stationId: 'ST1', chargerId: 'CP1', connectorId: String(1 + (n % 2)), idTag: '04A2B3C4',
    startTime: new Date(start).toISOString(), endTime: new Date(start + 7_200_000).toISOString(),
    durationS: 7200, chargingTimeS: 7200, idleTimeS: 0, energyWh: 22080, avgPowerW: 11040, peakPowerW: 11100,
    startReading: reading(n * 100_000, start), endReading: reading(n * 100_000 + 22080, start + 7_200_000),
    periods, stopReason: 'ev', flags: [],
  };
}

function perSecond(n, fn) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

function dirBytes(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

async function appendRate(dataDir, n, sync, from) {
  const st = openStation({ dataDir, stationId: 'ST1', identity, sync });
  await st.store.ready;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await st.store.append(session(from + i));
  const rate = n / (Number(process.hrtime.bigint() - t) / 1e9);
  await st.store.close();
  return rate;
}

/** Fill a ledger with `n` small records (synced, indexed) in big raw batches, then a real key. */
async function fill(dataDir, n) {
  const dbPath = path.join(dataDir, 'ST1', 'ledger');
  fs.mkdirSync(dbPath, { recursive: true });
  const store = new LedgerStore(dbPath, { sync: false });
  await store.ready;
  const tpl = JSON.stringify({ v: 1, id: 'x', seq: 0, session: { energyWh: 1234, connectorId: '1', endTime: '2025-11-25T10:00:00.000Z' }, ocmf: `OCMF|${'A'.repeat(400)}`, hash: 'f'.repeat(64) });
  const B = 10_000;
  for (let s = 1; s <= n; s += B) {
    const ops = [];
    for (let k = s; k < s + B && k <= n; k++) {
      const key = seqKey(k);
      ops.push({ type: 'put', key: `!rec!${key}`, value: tpl.replace('"seq":0', `"seq":${k}`) });
      ops.push({ type: 'put', key: `!sid!fill-${k}`, value: key });
      ops.push({ type: 'put', key: `!ixt!2025-11-25T10:00:00.000Z${SEP}${key}`, value: '' });
      ops.push({ type: 'put', key: `!syn!${key}`, value: '' });
    }
    await store.db.batch(ops);
  }
  await store.db.put('!meta!head', JSON.stringify({ seq: n, hash: 'f'.repeat(64) }));
  await store.close();
  // Settle as a station that has been running does: replay the write-ahead log into tables once
  // and compact (a first open right after a bulk write holds the replayed memtable and compaction
  // buffers, ~30 MB more, transiently).
  const settle = new LedgerStore(dbPath);
  await settle.ready;
  await settle.db.compactRange('!', '~');
  await settle.close();
}

/** In a fresh process: open the ledger, use it as the runtime does, report RSS in MB. */
function rssOf(dataDir) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'ledger.js'), '--rss-child', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rss child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function rssChild(dataDir) {
  const st = openStation({ dataDir, stationId: 'ST1', identity, sync: false });
  const head = await st.store.getHead();
  await st.outbox.size();
  for (let i = 1; i <= 200; i++) await st.store.append(session(10_000_000 + i));
  await st.outbox.peek(100);
  await st.outbox.ack(Array.from({ length: 200 }, (_, i) => `bench-${10_000_001 + i}`));
  await st.store.getBySessionId('fill-1');
  const rssMb = process.memoryUsage().rss / 1e6;
  await st.store.close();
  process.stdout.write(`${JSON.stringify({ records: head.seq, rssMb })}\n`);
}

async function run() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ledger-'));
  try {
    const pair = generateEcKeyPair();
    const sign = createDerSigner(pair.privateKeyPem);
    const payload = buildOcmfPayload(session(1), identity, 1, { XH: 'a'.repeat(64) });
    const ocmfs = [];
    const signPerS = perSecond(2000, () => ocmfs.push(signOcmf(payload, sign)));
    const pub = pair.publicKeySpki.toString('hex');
    const verifyPerS = perSecond(2000, (i) => {
      if (verifyOcmfString(ocmfs[i], pub).verdict !== 'valid') throw new Error('bench signature did not verify');
    });
    const real = path.join(tmp, 'real');
    const syncedPerS = await appendRate(real, 300, true, 1);
    const unsyncedPerS = await appendRate(real, 3000, false, 301);
    // Reopen once so the log is folded into compressed tables, as on a running station.
    const reopened = new LedgerStore(path.join(real, 'ST1', 'ledger'));
    await reopened.ready;
    await reopened.db.compactRange('\u0000', '\uffff').catch(() => undefined);
    await reopened.close();
    const bytesPerRecord = dirBytes(path.join(real, 'ST1', 'ledger')) / 3300;

    const small = path.join(tmp, 'small');
    await fill(small, 10_000);
    const rssSmall = rssOf(small);
    fs.rmSync(small, { recursive: true, force: true });
    const big = path.join(tmp, 'big');
    const t = Date.now();
    await fill(big, 1_000_000);
    const fillS = (Date.now() - t) / 1000;
    const rssBig = rssOf(big);
    return [
      { name: 'ECDSA P-256 signatures (OCMF record)', value: Math.round(signPerS), unit: 'sig/s' },
      { name: 'OCMF verifications (parse + key + ECDSA)', value: Math.round(verifyPerS), unit: 'verify/s' },
      { name: 'records appended, fsync per record', value: Math.round(syncedPerS), unit: 'records/s' },
      { name: 'records appended, no fsync', value: Math.round(unsyncedPerS), unit: 'records/s' },
      { name: 'bytes on disk per real record (incl. indexes)', value: Math.round(bytesPerRecord), unit: 'B/record' },
      { name: `RSS with ${rssSmall.records} records stored`, value: Math.round(rssSmall.rssMb), unit: 'MB' },
      { name: `RSS with ${rssBig.records} records stored`, value: Math.round(rssBig.rssMb), unit: 'MB', target: 'within 10% of the 10k figure' },
      { name: 'raw fill of 1,000,000 small records', value: Math.round(fillS * 10) / 10, unit: 's' },
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { run };

if (require.main === module) {
  if (process.argv[2] === '--rss-child') {
    rssChild(process.argv[3]).catch((e) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    });
  } else {
    run().then((rows) => console.table(rows), (e) => {
      console.error(e);
      process.exit(1);
    });
  }
}

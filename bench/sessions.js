'use strict';
// Session machine throughput and checkpoint cost: readings handled per second, JSON bytes
// written per charging hour (60 s and 300 s intervals), and the latency of one durable
// checkpoint write into the station's real LevelDB.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ChargerSessions } = require('../dist/src/core/session/charger.js');
const { resolveSessionConfig } = require('../dist/src/core/session/config.js');
const { checkpointBytes } = require('../dist/src/core/session/checkpoint.js');

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

/** One charging hour on `n` connectors with 1-s readings; returns readings/s and checkpoint bytes. */
function chargingHour(n, intervalMs) {
  const cfg = resolveSessionConfig({ stationId: 'B', chargerId: 'C' });
  const connectors = Array.from({ length: n }, (_, i) => ({ connectorId: String(i + 1), meterId: `M${i + 1}`, ratedPowerW: 11000 }));
  const ch = new ChargerSessions(cfg, connectors, { bootId: 'bench', randomSuffix: () => 'x' }, intervalMs);
  let wall = T0;
  let mono = 0;
  const regs = connectors.map(() => 1_000_000);
  for (const c of connectors) ch.handleEvent({ connectorId: c.connectorId, event: 'start' }, { wallMs: wall, monoMs: mono });
  let bytes = 0;
  let writes = 0;
  const t = process.hrtime.bigint();
  for (let s = 1; s <= 3600; s++) {
    wall += 1000;
    mono += 1000;
    connectors.forEach((c, i) => {
      regs[i] += s % 3 === 0 ? 4 : 3;
      ch.handleReading(c.meterId, { meterId: c.meterId, seq: s, timeMs: wall, monoMs: mono, energyImportWh: regs[i], powerW: 11000 });
    });
    ch.drain();
    for (const w of ch.checkpointsDue({ wallMs: wall, monoMs: mono }, wall)) {
      bytes += checkpointBytes(w.state);
      writes++;
    }
  }
  const sec = Number(process.hrtime.bigint() - t) / 1e9;
  return { readingsPerS: (3600 * n) / sec, bytesPerConnectorHour: bytes / n, writesPerConnectorHour: writes / n };
}

/** Median latency of a durable checkpoint save into a real station LevelDB, ms. */
async function levelSaveMs() {
  const { openStation } = require('../dist/src/adapters/store/station.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sessions-'));
  const station = openStation({ dataDir: dir, stationId: 'B', identity: { gatewayId: 'bench' } });
  try {
    await station.store.ready;
    const cfg = resolveSessionConfig({ stationId: 'B', chargerId: 'C' });
    const ch = new ChargerSessions(cfg, [{ connectorId: '1', meterId: 'M', ratedPowerW: 11000 }], { bootId: 'b', randomSuffix: () => 'x' }, 60000);
    ch.handleEvent({ connectorId: '1', event: 'start' }, { wallMs: T0, monoMs: 0 });
    const [w] = ch.allOpenCheckpoints(T0);
    const times = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      await station.checkpoints.save(w.sessionId, w.state);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1];
  } finally {
    await station.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  const h60 = chargingHour(10, 60000);
  const h300 = chargingHour(1, 300000);
  return [
    { name: 'readings handled (10 connectors, 1 h at 1 Hz)', value: Math.round(h60.readingsPerS), unit: 'readings/s', target: '≥ 10000' },
    { name: 'checkpoint bytes per charging hour (60 s interval)', value: Math.round(h60.bytesPerConnectorHour), unit: 'B/h', target: '≤ 150000' },
    { name: 'checkpoint writes per charging hour (60 s interval)', value: h60.writesPerConnectorHour, unit: 'writes/h' },
    { name: 'checkpoint bytes per charging hour (300 s interval)', value: Math.round(h300.bytesPerConnectorHour), unit: 'B/h' },
    { name: 'durable checkpoint save into LevelDB (median)', value: Number((await levelSaveMs()).toFixed(3)), unit: 'ms' },
  ];
}

module.exports = { run };

if (require.main === module) run().then((r) => console.table(r), (e) => { console.error(e); process.exit(1); });

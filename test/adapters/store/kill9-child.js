// Child process for kill9.test.ts: checkpoints and appends sessions s-1, s-2, … forever (first
// re-appending the last one recorded, as a session node may after a crash), acking one record in
// three, until it is killed with SIGKILL at a random moment.
'use strict';
const path = require('node:path');
const { openStation } = require(path.join(__dirname, '../../../dist/src/adapters/store/station.js'));

const [dataDir] = process.argv.slice(2);
const station = openStation({ dataDir, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });

function session(n) {
  const start = Date.UTC(2025, 10, 25) + n * 60_000;
  const reading = (wh, t) => ({ energyWh: wh, time: new Date(t).toISOString(), meterId: 'M1', meterSeq: n });
  return {
    id: `s-${n}`, stationId: 'ST1', chargerId: 'CP1', connectorId: String(1 + (n % 2)),
    startTime: new Date(start).toISOString(), endTime: new Date(start + 30_000).toISOString(),
    durationS: 30, chargingTimeS: 30, idleTimeS: 0, energyWh: 10, avgPowerW: 1200, peakPowerW: 1300,
    startReading: reading(n * 10, start), endReading: reading(n * 10 + 10, start + 30_000),
    periods: [], stopReason: 'ev', flags: [],
  };
}

(async () => {
  const head = await station.store.getHead();
  process.stdout.write('ready\n');
  // Re-append the last recorded session, as a session node may after a crash: deduped.
  if (head.seq > 0) {
    const again = await station.store.append(session(head.seq));
    if (!again.duplicate) throw new Error(`s-${head.seq} was appended twice`);
  }
  for (let n = head.seq + 1; ; n++) {
    await station.checkpoints.save(`s-${n}`, { n, open: true });
    await station.store.append(session(n));
    if (n % 3 === 0) await station.outbox.ack([`s-${n - 1}`]);
  }
})().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});

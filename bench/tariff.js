'use strict';
// Pricing throughput: sessions priced per second (revenue + cost + margin), and rollup updates.
const { priceSession, parseTariff } = require('../dist/src/core/tariff');
const { RollupState } = require('../dist/src/core/rollup');
const fs = require('node:fs');
const path = require('node:path');

const tariff = parseTariff(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'ocpi', 'tariff_4_complex.json'), 'utf8')));
const night = parseTariff({
  id: 'tou', currency: 'EUR',
  elements: [
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }] },
    { price_components: [{ type: 'ENERGY', price: 0.25, vat: 21, step_size: 1 }], restrictions: { start_time: '23:00', end_time: '07:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.39, vat: 21, step_size: 1 }, { type: 'PARKING_TIME', price: 2, vat: 21, step_size: 300 }] },
  ],
});
const buy = { currency: 'EUR', fixedPricePerKWh: '0.21', timeOfUse: [{ name: 'peak', days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'], startTime: '17:00', endTime: '21:00', pricePerKWh: '0.35' }] };

/** A 3-hour session with `n` meter periods (energy per period in Wh), charging then parking. */
function makeSession(i, n) {
  const start = Date.parse('2024-10-26T20:00:00Z') + (i % 48) * 1_800_000;
  const stepMs = Math.floor((3 * 3_600_000) / n);
  const periods = [];
  for (let k = 0; k < n; k++) {
    const charging = k < n * 0.8;
    periods.push({ start: new Date(start + k * stepMs).toISOString(), end: new Date(start + (k + 1) * stepMs).toISOString(), energyWh: charging ? Math.round((11_000 * stepMs) / 3_600_000) : 0, chargingS: charging ? stepMs / 1000 : 0, idleS: charging ? 0 : stepMs / 1000, maxPowerW: charging ? 11_000 : 0, maxCurrentA: charging ? 16 : 0 });
  }
  const energyWh = periods.reduce((a, p) => a + p.energyWh, 0);
  return { id: `s${i}`, stationId: 'ST1', chargerId: 'CP1', connectorId: String(1 + (i % 4)), startTime: periods[0].start, endTime: periods[n - 1].end, durationS: 10800, chargingTimeS: 8640, idleTimeS: 2160, energyWh, avgPowerW: 11000, peakPowerW: 11000, startReading: { energyWh: 0, time: periods[0].start, meterId: 'm', meterSeq: 1 }, endReading: { energyWh, time: periods[n - 1].end, meterId: 'm', meterSeq: 2 }, periods, stopReason: 'ev', flags: [] };
}

function rate(name, fn, ms = 3000) {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    fn(n);
    n++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return Math.round(n / s);
}

async function run() {
  const s60 = Array.from({ length: 48 }, (_, i) => makeSession(i, 180)); // 1-minute periods
  const s1 = Array.from({ length: 8 }, (_, i) => makeSession(i, 10_800)); // 1-second periods
  const results = [
    { name: 'tariff: sessions priced/s (complex OCPI tariff, 180 periods, UTC)', value: rate('a', (i) => priceSession(s60[i % 48], { sell: tariff })), unit: 'sessions/s', target: 1000 },
    { name: 'tariff: sessions priced/s (ToU sell + buy, 180 periods, Europe/Amsterdam DST night)', value: rate('b', (i) => priceSession(s60[i % 48], { sell: night, buy, timezone: 'Europe/Amsterdam' })), unit: 'sessions/s', target: 500 },
    { name: 'tariff: sessions priced/s (1-second meter series, 10800 periods)', value: rate('c', (i) => priceSession(s1[i % 8], { sell: night, buy, timezone: 'Europe/Amsterdam' })), unit: 'sessions/s', target: 10 },
  ];
  const state = new RollupState('Europe/Amsterdam');
  const pricing = priceSession(s60[0], { sell: night, buy, timezone: 'Europe/Amsterdam' });
  results.push({ name: 'rollup: records added/s (9 cells each, 180 periods)', value: rate('d', (i) => state.add({ session: { ...s60[i % 48], id: `r${i}` }, pricing })), unit: 'records/s', target: 1000 });
  return results;
}

module.exports = { run };
if (require.main === module) run().then((r) => console.table(r));

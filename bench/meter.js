'use strict';
// Meter parsing throughput on one core: DSMR 5 telegrams in the simulator's layout (4 meters on
// one stream, as on the simulator's bus) through the line splitter and the full decoder (CRC,
// OBIS parsing, exact unit conversion, profile mapping, plausibility checks).
// Compared against what a 115200-baud line can deliver: 11520 bytes/s (8N1 = 10 bits per byte).

const { createMeterDecoder } = require('../dist/src/core/meter/decoder.js');
const { encodeDsmrTelegram, hexAscii } = require('../dist/src/core/meter/dsmr.js');
const { MeterLineSplitter } = require('../dist/src/core/meter/linesplit.js');
const { loadProfile } = require('../dist/src/adapters/profiles.js');

const LINE_BYTES_PER_S = 11520;

function kwh(wh) {
  const s = String(wh).padStart(4, '0');
  return `${s.slice(0, -3).padStart(6, '0')}.${s.slice(-3)}`;
}

/** A capture of `count` telegrams from 4 meters, registers rising 3 Wh per telegram. */
function capture(count) {
  const ids = ['SITE', 'CP1-1', 'CP1-2', 'CP1-3'];
  const parts = [];
  for (let i = 0; i < count; i++) {
    const id = ids[i % ids.length];
    const wh = 1_000_000 + Math.floor(i / ids.length) * 3;
    parts.push(encodeDsmrTelegram([
      ['1-3:0.2.8', '50'], ['0-0:1.0.0', '251125040000W'], ['0-0:96.1.1', hexAscii(id)],
      ['1-0:1.8.0', `${kwh(wh)}*kWh`], ['1-0:2.8.0', '000000.000*kWh'], ['1-0:1.7.0', '11.040*kW'], ['1-0:2.7.0', '00.000*kW'],
      ['1-0:32.7.0', '230.1*V'], ['1-0:52.7.0', '230.2*V'], ['1-0:72.7.0', '230.3*V'],
      ['1-0:31.7.0', '016.00*A'], ['1-0:51.7.0', '016.00*A'], ['1-0:71.7.0', '016.00*A'], ['1-0:14.7.0', '50.00*Hz'],
    ], 'CLS5\\2ChargeLedgerSim'));
  }
  return parts.join('');
}

/** Decode `text` in 4 KiB chunks, as a serial port delivers it; returns the readings count. */
function decodeAll(profile, text) {
  const dec = createMeterDecoder(profile);
  const split = new MeterLineSplitter();
  let readings = 0;
  let mono = 0;
  for (let i = 0; i < text.length; i += 4096) {
    for (const line of split.push(text.slice(i, i + 4096))) {
      mono += 1;
      for (const e of dec.push(line, { timeMs: 1_764_000_000_000 + mono, monoMs: mono })) {
        if (!e.ok) throw new Error(`bench telegram rejected: ${e.reason} ${e.detail}`);
        readings++;
      }
    }
  }
  return readings;
}

async function run() {
  const profile = loadProfile('simulator');
  const count = 40_000;
  const text = capture(count);
  decodeAll(profile, text.slice(0, 2_000_000)); // warm up the JIT
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const readings = decodeAll(profile, text);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (readings !== count) throw new Error(`expected ${count} readings, got ${readings}`);
  const bytesPerS = text.length / wallS;
  const cpuUs = cpu.user + cpu.system;
  return [
    { name: 'meter parse throughput', value: Math.round(readings / wallS), unit: 'telegrams/s' },
    { name: 'meter parse throughput', value: Number((bytesPerS / 1e6).toFixed(2)), unit: 'MB/s' },
    { name: 'meter CPU time per reading', value: Number((cpuUs / readings).toFixed(1)), unit: 'µs' },
    { name: 'meter parse vs 115200-baud line', value: Math.round(bytesPerS / LINE_BYTES_PER_S), unit: 'x', target: 100 },
    { name: 'meter telegram size (simulator layout)', value: Math.round(text.length / count), unit: 'bytes' },
  ];
}

module.exports = { run };

if (require.main === module) {
  run().then((rows) => { for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target >= ${r.target})` : ''}`); }, (e) => { console.error(e); process.exitCode = 1; });
}

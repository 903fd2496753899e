#!/usr/bin/env node
'use strict';
// `npm run bench`: runs every bench/*.js (each exports `async run()` returning rows of
// { name, value, unit, target? }), prints one table and writes bench/results.json.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function main() {
  const only = process.argv.slice(2);
  const files = fs.readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  const results = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, benches: {} };
  const rows = [];
  for (const f of files) {
    const name = f.replace(/\.js$/, '');
    process.stderr.write(`bench ${name} …\n`);
    try {
      const out = await require(path.join(__dirname, f)).run();
      results.benches[name] = out;
      for (const r of out) rows.push([name, r.name, fmt(r.value), r.unit, r.target ?? '']);
    } catch (e) {
      results.benches[name] = { error: e.message };
      rows.push([name, 'ERROR', e.message, '', '']);
    }
  }
  const head = ['bench', 'metric', 'value', 'unit', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 2 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten: bench/results.json`);
}

function fmt(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Benchmark: time per load-control decision (site reading in, setpoints out) for 8, 32 and 128
// connectors, with every EV charging, a mix of 1- and 3-phase EVs, connector meters and a
// building load that changes on every reading so the allocator cannot short-cut.
const { performance } = require('node:perf_hooks');
const { loadConfig } = require('../dist/src/core/load/config');
const { LoadController } = require('../dist/src/core/load/controller');

function setup(n) {
  const connectors = [];
  for (let i = 0; i < n; i++) {
    connectors.push({ id: String(i + 1), phases: i % 4 === 3 ? 1 : 3, phase: ((i % 3) + 1), maxCurrentA: i % 5 === 0 ? 16 : 32, priority: i % 8 === 0 ? 1 : 0, meterId: `M${i + 1}` });
  }
  // Room for every minimum plus some: about 8 A per EV per phase.
  const limitA = Math.max(63, n * 8);
  const cfg = loadConfig({ site: { maxCurrentA: limitA, maxPowerW: limitA * 3 * 230 }, connectors, tuning: { rampIntervalMs: 0, evResponseMs: 0 } });
  const ctl = new LoadController(cfg, 0);
  for (const c of connectors) ctl.event({ connectorId: c.id, event: 'start' }, 0);
  return { ctl, connectors, limitA };
}

function measure(n, decisions) {
  const { ctl, connectors, limitA } = setup(n);
  const times = [];
  let t = 0;
  for (let k = 0; k < decisions + 200; k++) {
    t += 1000;
    const building = 5 + (k % 7);
    // Connector meters report what the EVs drew (their last setpoint).
    for (const rt of ctl.connectors) {
      const a = [0, 0, 0];
      for (const p of rt.sitePhases) a[p - 1] = rt.setpointDa / 10;
      ctl.connectorReading(rt.cfg.meterId, { currentA: a, atMs: t });
    }
    const site = [building, building + 1, building + 2];
    for (const rt of ctl.connectors) for (const p of rt.sitePhases) site[p - 1] += rt.setpointDa / 10;
    const start = performance.now();
    ctl.siteReading({ currentA: site.map((a) => Math.min(a, limitA * 1.2)), atMs: t });
    const sp = ctl.decide(t, Date.UTC(2026, 10, 25) + t);
    const us = (performance.now() - start) * 1000;
    if (sp.length !== connectors.length) throw new Error('wrong setpoint count');
    if (k >= 200) times.push(us); // the first 200 warm up the JIT and let the ramps settle
  }
  times.sort((a, b) => a - b);
  const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
  return { p50: q(0.5), p99: q(0.99), mean: times.reduce((s, x) => s + x, 0) / times.length };
}

async function run() {
  const out = [];
  for (const [n, decisions] of [[8, 5000], [32, 5000], [128, 2000]]) {
    const r = measure(n, decisions);
    out.push({ name: `load decision, ${n} connectors, p50`, value: Number(r.p50.toFixed(1)), unit: 'us' });
    // p99 is mostly garbage collection and scheduling; the 5 ms target is end to end (load-latency.js).
    out.push({ name: `load decision, ${n} connectors, p99`, value: Number(r.p99.toFixed(1)), unit: 'us' });
  }
  return out;
}

module.exports = { run };

if (require.main === module) run().then((r) => console.table(r));

'use strict';
// Benchmark-only node. It stands where the charger's control interface would be wired and stamps
// each message with CLOCK_MONOTONIC (process.hrtime.bigint(), the same clock in every process on
// the machine), so the bench process can subtract the time it wrote a telegram's last byte.
// Messages of one decision share a _msgid; when `count` of them have arrived, one IPC message
// carries the stamps of the reading (from the meter node) and of the first and last setpoint.
// Per message the probe reads the clock and counts: it costs the measured path next to nothing,
// and it talks to the bench only after the decision's last setpoint is stamped.
module.exports = function (RED) {
  function Probe(def) {
    RED.nodes.createNode(this, def);
    const count = Number(def.count) || 1;
    let readingNs = null;
    let cur = null;
    this.on('input', (msg, _send, done) => {
      const ns = process.hrtime.bigint();
      if (msg.kind === 'reading') readingNs = ns;
      else {
        if (!cur || cur.id !== msg._msgid) cur = { id: msg._msgid, first: ns, n: 0 };
        if (++cur.n === count) {
          const out = { reading: readingNs === null ? null : String(readingNs), first: String(cur.first), last: String(ns) };
          readingNs = null;
          cur = null;
          if (process.send) process.send(out);
        }
      }
      done();
    });
  }
  RED.nodes.registerType('cl-bench-probe', Probe);
};

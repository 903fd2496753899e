'use strict';
/* global setInterval, clearInterval */
// Preloaded (`node -r`) into every child of runtime/start.js: when the supervisor dies, even by
// SIGKILL, the child is re-parented; it then stops itself with SIGTERM (a clean shutdown: the
// simulator saves its registers, Node-RED closes its flows) instead of lingering forever.
const expected = Number(process.env.CHARGELEDGER_SUPERVISOR_PID);
if (Number.isInteger(expected) && expected > 0) {
  const timer = setInterval(() => {
    if (process.ppid !== expected) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 500);
  timer.unref();
}

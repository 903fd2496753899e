#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the compiled TypeScript.
// `chargeledger … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`chargeledger: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);

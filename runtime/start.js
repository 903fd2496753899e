#!/usr/bin/env node
'use strict';
// `npm start`: the demo and development runtime. It starts the simulator (CHARGELEDGER_METER=sim),
// the embedded broker (no CHARGELEDGER_MQTT_URL) and Node-RED with runtime/settings.js, seeds
// the flow from flows/charger.json, and shuts everything down cleanly on Ctrl-C / SIGTERM.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { ensureAdminPassword, ensureOperatorPassword } = require('./auth');
const { startEmbeddedBroker } = require('./broker');

const root = path.resolve(__dirname, '..');
const SHUTDOWN_BUDGET_MS = 9000;

function log(msg) {
  console.log(`[chargeledger] ${msg}`);
}

/** Start `chargeledger simulate` as a child and wait for its ready line. */
function startSimulator(env) {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'chargeledger.js'), 'simulate'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    child.once('exit', (code) => reject(new Error(`simulator exited with code ${code}`)));
    rl.once('line', (line) => {
      try {
        const ready = JSON.parse(line);
        resolve({ child, ...ready });
      } catch {
        reject(new Error(`simulator said: ${line}`));
      }
    });
  });
}

/**
 * Put flows/charger.json in place as the runtime's flow file on the first start. Later starts
 * keep what technicians deployed; when the shipped flow changed, the old one is kept as a backup.
 */
function seedFlow(userDir) {
  const shipped = fs.readFileSync(path.join(root, 'flows', 'charger.json'), 'utf8');
  const flowFile = path.join(userDir, 'flows.json');
  const stamp = path.join(userDir, '.chargeledger-flow-source');
  const digest = require('node:crypto').createHash('sha256').update(shipped).digest('hex');
  fs.mkdirSync(userDir, { recursive: true });
  const previous = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : null;
  if (fs.existsSync(flowFile) && previous === digest) return;
  if (fs.existsSync(flowFile)) {
    const backup = `${flowFile}.${Date.now()}.bak`;
    fs.copyFileSync(flowFile, backup);
    log(`flows/charger.json changed: deploying it; the previous flow is kept in ${backup}`);
  }
  fs.writeFileSync(flowFile, shipped);
  fs.writeFileSync(stamp, digest);
}

async function main() {
  const env = { ...process.env };
  env.CHARGELEDGER_DATA_DIR = path.resolve(env.CHARGELEDGER_DATA_DIR || 'data');
  env.CHARGELEDGER_STATION_ID = env.CHARGELEDGER_STATION_ID || 'station-1';
  env.CHARGELEDGER_PORT = env.CHARGELEDGER_PORT || '1880';
  const dataDir = env.CHARGELEDGER_DATA_DIR;
  fs.mkdirSync(dataDir, { recursive: true });
  const userDir = path.join(dataDir, 'node-red');

  const password = ensureAdminPassword(dataDir, env);
  if (password.generated) {
    log(`editor login: admin / ${password.generated}`);
    log('this password is shown once; only its hash is stored. Set CHARGELEDGER_ADMIN_PASSWORD to choose one.');
  }
  const operator = ensureOperatorPassword(dataDir, env);
  if (operator.generated) log(`operator page http://${env.CHARGELEDGER_HOST || '127.0.0.1'}:${env.CHARGELEDGER_PORT}/dashboard login: operator / ${operator.generated} (shown once; set CHARGELEDGER_OPERATOR_PASSWORD to choose one)`);

  const stoppers = [];
  let shuttingDown = false;
  let nodeRed = null;
  const shutdown = async (signal) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal}: shutting down`);
    // A hard deadline: the controller's supervisor must see us gone within 10 s.
    setTimeout(() => process.exit(1), SHUTDOWN_BUDGET_MS).unref();
    if (nodeRed && nodeRed.exitCode === null) {
      const exited = new Promise((r) => nodeRed.once('exit', r));
      nodeRed.kill('SIGTERM');
      await exited;
    }
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (!env.CHARGELEDGER_METER || env.CHARGELEDGER_METER === 'sim') {
    const sim = await startSimulator(env);
    stoppers.push(() => new Promise((r) => { sim.child.once('exit', r); sim.child.kill('SIGTERM'); }));
    env.CHARGELEDGER_METER = `tcp://127.0.0.1:${sim.meterPort}`;
    env.CHARGELEDGER_METER_PROFILE = env.CHARGELEDGER_METER_PROFILE || 'simulator';
    env.CHARGELEDGER_CHARGER_HOST = '127.0.0.1';
    env.CHARGELEDGER_CHARGER_PORT = String(sim.controlPort);
    log(`simulator: meters on ${env.CHARGELEDGER_METER}, charger control on tcp://127.0.0.1:${sim.controlPort}`);
  }
  env.CHARGELEDGER_METER_PROFILE = env.CHARGELEDGER_METER_PROFILE || 'generic-dsmr';
  env.CHARGELEDGER_CHARGER_HOST = env.CHARGELEDGER_CHARGER_HOST || '127.0.0.1';
  env.CHARGELEDGER_CHARGER_PORT = env.CHARGELEDGER_CHARGER_PORT || '7000';
  if (!env.CHARGELEDGER_MQTT_URL) {
    const broker = await startEmbeddedBroker('127.0.0.1', Number(env.CHARGELEDGER_BROKER_PORT || 1883));
    stoppers.push(broker.close);
    env.CHARGELEDGER_MQTT_URL = `mqtt://127.0.0.1:${broker.port}`;
    log(`embedded MQTT broker on ${env.CHARGELEDGER_MQTT_URL}`);
  }

  seedFlow(userDir);
  const redJs = require.resolve('node-red/red.js', { paths: [root] });
  nodeRed = spawn(process.execPath, [redJs, '--settings', path.join(__dirname, 'settings.js'), '--userDir', userDir], { env, stdio: 'inherit' });
  log(`Node-RED starting: http://${env.CHARGELEDGER_HOST || '127.0.0.1'}:${env.CHARGELEDGER_PORT}/ (pid ${nodeRed.pid})`);
  nodeRed.once('exit', (code, signal) => {
    if (!shuttingDown) {
      log(`Node-RED exited (${signal || code}); stopping`);
      shutdown('node-red exit');
    }
  });
}

main().catch((err) => {
  console.error(`[chargeledger] ${err.message}`);
  process.exit(1);
});

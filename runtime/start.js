#!/usr/bin/env node
'use strict';
// `npm start`: the demo and development runtime. It starts the simulator (CHARGELEDGER_METER=sim),
// the embedded broker and the reference receiver as its backend (no CHARGELEDGER_MQTT_URL) and
// Node-RED with runtime/settings.js, seeds the flow from flows/charger.json, and shuts everything
// down cleanly on Ctrl-C / SIGTERM, or when Node-RED dies. Children stop by themselves when this
// supervisor dies (runtime/parent-watch.js).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { ensureAdminPassword, ensureOperatorPassword } = require('./auth');
const { startEmbeddedBroker } = require('./broker');

const root = path.resolve(__dirname, '..');
const BIN = path.join(root, 'bin', 'chargeledger.js');
const PARENT_WATCH = path.join(__dirname, 'parent-watch.js');
const SHUTDOWN_BUDGET_MS = 9000;

function log(msg) {
  console.log(`[chargeledger] ${msg}`);
}

/** Spawn a node child that stops itself when this supervisor dies (see parent-watch.js). */
function spawnChild(args, env, stdio) {
  return spawn(process.execPath, ['-r', PARENT_WATCH, ...args], { env: { ...env, CHARGELEDGER_SUPERVISOR_PID: String(process.pid) }, stdio });
}

/** An off switch given in the environment ("0", "false", "no", "off"). */
const isOff = (v) => /^(0|false|no|off)$/i.test(String(v || '').trim());

/**
 * Start `chargeledger simulate` as a child and wait for its ready line. Its registers live in
 * <dataDir>/simulator-state.json, so they go on counting across restarts as a real meter's do;
 * no EV arrives before Node-RED has connected to the control port (CHARGELEDGER_SIM_WAIT_FOR_CONTROL=0
 * turns that off); CHARGELEDGER_SIM_TRUTH=FILE writes the ground truth of every visit.
 */
function startSimulator(env, dataDir) {
  const args = [BIN, 'simulate', '--state', path.join(dataDir, 'simulator-state.json')];
  if (!isOff(env.CHARGELEDGER_SIM_WAIT_FOR_CONTROL)) args.push('--wait-for-control');
  if (env.CHARGELEDGER_SIM_TRUTH) args.push('--truth', path.resolve(env.CHARGELEDGER_SIM_TRUTH));
  const child = spawnChild(args, env, ['ignore', 'pipe', 'inherit']);
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
 * Start the reference receiver (`chargeledger receive`) against the embedded broker as the demo's
 * backend: it verifies, stores under <dataDir>/receiver and acknowledges the station's records.
 * The station's key is created here if the ledger has not yet, so the receiver can load it.
 */
function startReceiver(env, dataDir, brokerUrl) {
  const { stationPaths } = require('../dist/src/adapters/store/station.js');
  const { loadOrCreateKeys } = require('../dist/src/adapters/keys/keystore.js');
  const paths = stationPaths(dataDir, env.CHARGELEDGER_STATION_ID);
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  loadOrCreateKeys(paths.keys);
  const out = path.join(dataDir, 'receiver');
  // The receiver signs its acks with the backend key (created on first use); the station's uplink
  // trusts only acks signed by it (CHARGELEDGER_ACK_KEY, its public half).
  const ackKey = path.join(out, 'ack-key.pem');
  const args = [BIN, 'receive', '--broker', brokerUrl, '--pubkey', paths.keys, '--out', out, '--client-id', 'chargeledger-demo-receiver', '--ack-key', ackKey];
  const child = spawnChild(args, env, ['ignore', 'pipe', 'pipe']);
  readline.createInterface({ input: child.stdout }).on('line', (line) => log(`receiver: ${line}`));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`receiver exited with code ${code}`)));
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      console.error(`[chargeledger] ${line}`);
      if (/subscribed to/.test(line)) resolve({ child, out, ackPublicKey: path.join(out, 'ack-key.pub.pem') });
    });
  });
}

/** Stop a child with SIGTERM and wait for it (at once if it has already exited). */
function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
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
    // A Node-RED killed by a signal has exitCode null and signalCode set: it is gone all the same.
    if (nodeRed) await stopChild(nodeRed);
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    // Non-zero when Node-RED died by itself, so a service manager restarts the whole station.
    process.exit(signal === 'node-red exit' ? 1 : 0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (!env.CHARGELEDGER_METER || env.CHARGELEDGER_METER === 'sim') {
    const sim = await startSimulator(env, dataDir);
    stoppers.push(() => stopChild(sim.child));
    env.CHARGELEDGER_METER = `tcp://127.0.0.1:${sim.meterPort}`;
    env.CHARGELEDGER_METER_PROFILE = env.CHARGELEDGER_METER_PROFILE || 'simulator';
    env.CHARGELEDGER_CHARGER_HOST = '127.0.0.1';
    env.CHARGELEDGER_CHARGER_PORT = String(sim.controlPort);
    log(`simulator: meters on ${env.CHARGELEDGER_METER}, charger control on tcp://127.0.0.1:${sim.controlPort} (pid ${sim.child.pid})`);
  }
  env.CHARGELEDGER_METER_PROFILE = env.CHARGELEDGER_METER_PROFILE || 'generic-dsmr';
  env.CHARGELEDGER_CHARGER_HOST = env.CHARGELEDGER_CHARGER_HOST || '127.0.0.1';
  env.CHARGELEDGER_CHARGER_PORT = env.CHARGELEDGER_CHARGER_PORT || '7000';
  if (!env.CHARGELEDGER_MQTT_URL) {
    const broker = await startEmbeddedBroker('127.0.0.1', Number(env.CHARGELEDGER_BROKER_PORT || 1883));
    stoppers.push(broker.close);
    env.CHARGELEDGER_MQTT_URL = `mqtt://127.0.0.1:${broker.port}`;
    log(`embedded MQTT broker on ${env.CHARGELEDGER_MQTT_URL}`);
    // Only with the embedded broker: with CHARGELEDGER_MQTT_URL set, the backend is someone else's.
    const rx = await startReceiver(env, dataDir, env.CHARGELEDGER_MQTT_URL);
    stoppers.push(() => stopChild(rx.child));
    env.CHARGELEDGER_ACK_KEY = env.CHARGELEDGER_ACK_KEY || rx.ackPublicKey;
    log(`reference receiver acknowledges the records, stored in ${rx.out} (pid ${rx.child.pid})`);
  }

  seedFlow(userDir);
  const redJs = require.resolve('node-red/red.js', { paths: [root] });
  nodeRed = spawnChild([redJs, '--settings', path.join(__dirname, 'settings.js'), '--userDir', userDir], env, 'inherit');
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

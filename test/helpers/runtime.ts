import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

/** A `npm start` runtime (supervisor, simulator, embedded broker, Node-RED) started by a test. */
export interface StartedRuntime {
  child: ChildProcess;
  dataDir: string;
  editorPort: number;
  brokerPort: number;
  stationId: string;
  password: string;
  output: () => string;
  /** SIGTERM and wait for the exit; resolves to the exit code and the time it took, ms. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

const root = path.resolve(__dirname, '..', '..');

/** Start runtime/start.js the way `npm start` does, on free ports and a temp data dir (or `dataDir`, to restart on it). */
export async function startRuntime(extraEnv: Record<string, string> = {}, dataDir = mkdtempSync(path.join(tmpdir(), 'chargeledger-e2e-'))): Promise<StartedRuntime> {
  const editorPort = await freePort();
  const brokerPort = await freePort();
  const stationId = 'e2e-station';
  const password = 'e2e-password';
  let out = '';
  const child = spawn(process.execPath, [path.join(root, 'runtime', 'start.js')], {
    cwd: root,
    env: {
      ...process.env,
      CHARGELEDGER_DATA_DIR: dataDir,
      CHARGELEDGER_PORT: String(editorPort),
      CHARGELEDGER_BROKER_PORT: String(brokerPort),
      CHARGELEDGER_STATION_ID: stationId,
      CHARGELEDGER_ADMIN_PASSWORD: password,
      CHARGELEDGER_MQTT_URL: '',
      CHARGELEDGER_METER: 'sim',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    dataDir,
    editorPort,
    brokerPort,
    stationId,
    password,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        const t0 = Date.now();
        if (child.exitCode !== null) return resolve({ code: child.exitCode, ms: 0 });
        child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 }));
        child.kill('SIGTERM');
      }),
  };
}

import { accessSync, constants, existsSync, statfsSync, writeFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { currentKeyId } from '../../adapters/keys/keystore';
import { dataDirOf, describeDataDir, keysDirOf, lookupStation, type DataDir } from '../data-dir';
import { parseOptions, type Command } from '../usage';

/** One line of the doctor's report. */
interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

const usage = `Usage: chargeledger doctor [--data DIR] [--station ID] [--meter PORT] [--broker URL] [--json]

Checks the controller the way a technician would on site, and exits 1 if any check fails:
  node       Node.js is 20 or newer
  data dir   exists, is writable, has free space (warns under 100 MiB); never created here
  keys       the station's signing key exists in <data dir>/<station id>/keys (the key that
             keygen --show prints and the running station signs with)
  ports      the serial ports this machine has (udev, or a /dev scan without it)
  meter      the meter port opens: a device file is readable and writable, a tcp:// gateway accepts
  broker     the MQTT broker accepts a TCP connection

Defaults: --data from CHARGELEDGER_DATA_DIR, else ./data (as npm start); --station from
CHARGELEDGER_STATION_ID, else the data dir's only station; --meter from CHARGELEDGER_METER;
--broker from CHARGELEDGER_MQTT_URL.
`;

function tcpReachable(host: string, port: number, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (err: string | null) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    s.once('connect', () => done(null));
    s.once('error', (e) => done(e.message));
  });
}

async function checkDataDir(data: DataDir, station: string | undefined): Promise<Check[]> {
  const out: Check[] = [];
  const dir = data.dir;
  if (!existsSync(dir)) {
    // Checking must not create it: a typo in --data would leave a stray directory behind.
    out.push({ name: 'data dir', status: 'warn', detail: `${describeDataDir(data)} does not exist yet (the station creates it on first start)` });
    out.push({ name: 'keys', status: 'warn', detail: 'no signing key yet: the ledger creates one on first start (or run chargeledger keygen)' });
    return out;
  }
  try {
    const probe = path.join(dir, `.doctor-${process.pid}`);
    writeFileSync(probe, 'x');
    unlinkSync(probe);
    const st = statfsSync(dir);
    const freeMiB = Math.floor((Number(st.bavail) * Number(st.bsize)) / 1048576);
    out.push({ name: 'data dir', status: freeMiB < 100 ? 'warn' : 'ok', detail: `${describeDataDir(data)} writable, ${freeMiB} MiB free` });
  } catch (e) {
    out.push({ name: 'data dir', status: 'fail', detail: `${dir}: ${(e as Error).message}` });
  }
  // The same lookup as keygen and the other commands: the key the running station signs with.
  try {
    const found = lookupStation({ data: dir, station });
    const keyId = found.found ? currentKeyId(keysDirOf(found.stationDir)) : null;
    out.push(keyId ? { name: 'keys', status: 'ok', detail: `signing key ${keyId} in ${keysDirOf(found.stationDir)}` } : { name: 'keys', status: 'warn', detail: `no signing key in ${keysDirOf(found.stationDir)} yet: the ledger creates one on first start (or run chargeledger keygen)` });
  } catch (e) {
    out.push({ name: 'keys', status: 'warn', detail: (e as Error).message });
  }
  return out;
}

async function checkMeter(meter: string | undefined): Promise<Check> {
  if (!meter || meter === 'sim') return { name: 'meter', status: 'ok', detail: 'simulator (CHARGELEDGER_METER=sim)' };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(meter);
  if (tcp) {
    const err = await tcpReachable(tcp[1], Number(tcp[2]));
    return err ? { name: 'meter', status: 'fail', detail: `${meter}: ${err}` } : { name: 'meter', status: 'ok', detail: `${meter} accepts connections` };
  }
  try {
    accessSync(meter, constants.R_OK | constants.W_OK);
    return { name: 'meter', status: 'ok', detail: `${meter} is readable and writable` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' ? ' (add the Node-RED user to the dialout group)' : code === 'ENOENT' ? ' (is the USB adapter plugged in? see the ports line)' : '';
    return { name: 'meter', status: 'fail', detail: `${meter}: ${code ?? (e as Error).message}${hint}` };
  }
}

async function checkBroker(url: string | undefined): Promise<Check> {
  if (!url) return { name: 'broker', status: 'ok', detail: 'embedded broker (CHARGELEDGER_MQTT_URL unset)' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { name: 'broker', status: 'fail', detail: `not a URL: ${url}` };
  }
  const port = Number(u.port || (u.protocol === 'mqtts:' ? 8883 : 1883));
  const err = await tcpReachable(u.hostname, port);
  return err ? { name: 'broker', status: 'fail', detail: `${u.hostname}:${port}: ${err}` } : { name: 'broker', status: 'ok', detail: `${u.hostname}:${port} accepts connections` };
}

const command: Command = {
  summary: 'check the controller: ports, data dir, keys, broker',
  usage,
  async run(argv, io) {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, meter: { type: 'string' }, broker: { type: 'string' }, json: { type: 'boolean' } });
    const dataDir = dataDirOf(values.data);
    const major = Number(process.versions.node.split('.')[0]);
    const checks: Check[] = [{ name: 'node', status: major >= 20 ? 'ok' : 'fail', detail: `Node.js ${process.versions.node}` }];
    checks.push(...(await checkDataDir(dataDir, values.station)));
    // Loaded lazily: serialport's native binding is only needed for this line.
    const { listPorts } = await import('../../adapters/serial/list-ports.js');
    const ports = await listPorts().catch(() => []);
    checks.push({ name: 'ports', status: 'ok', detail: ports.length ? ports.map((p) => p.path).join(', ') : 'no serial ports found' });
    checks.push(await checkMeter(values.meter ?? process.env.CHARGELEDGER_METER));
    checks.push(await checkBroker(values.broker ?? process.env.CHARGELEDGER_MQTT_URL));
    if (values.json) io.stdout(`${JSON.stringify(checks)}\n`);
    else for (const c of checks) io.stdout(`${c.status.padEnd(5)} ${c.name.padEnd(9)} ${c.detail}\n`);
    return checks.some((c) => c.status === 'fail') ? 1 : 0;
  },
};

export default command;

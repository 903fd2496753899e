// `chargeledger read`: live readings from a meter port, for a technician checking the wiring on
// site: a table on a terminal, JSON lines otherwise.
import { loadAnyProfile, type AnyProfile } from '../../adapters/profiles';
import { createFeed, type Feed } from '../../adapters/serial/feed';
import { listPorts } from '../../adapters/serial/list-ports';
import type { LinkState } from '../../adapters/serial/meter-link';
import { linkOptionsFor, modbusSlaveIds, parseSlaveIds, type MeterPortConfig } from '../../adapters/serial/port-config';
import type { MeterEvent } from '../../core/meter/events';
import { outputFormat } from '../format/output-mode';
import { READING_COLUMNS } from '../format/readings-table';
import { streamedTable } from '../format/table';
import { intOption, parseOptions, UsageError, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger read --port PATH|tcp://HOST:PORT --profile NAME [--baud N] [--count N]
                         [--format table|jsonl] [--json]

Opens a meter port and prints every valid reading. On a terminal: a table, one row
per reading (time UTC, meter, seq, import/export in kWh, power W, voltage V and
current A per phase, Hz). Otherwise (a pipe, a file), or with --json: one JSON
line per reading (SI units: energyImportWh, energyExportWh, powerW, voltageV[],
currentA[], frequencyHz).
Rejected telegrams (bad checksum, truncated, garbage, ...) are reported on
standard error. Runs until --count readings were printed or Ctrl-C; a port lost
on the way is reopened by itself.

Options:
  --port P        serial device (/dev/ttyUSB0, /dev/serial/by-id/...) or
                  tcp://host:port of a ser2net / RS-485-to-Ethernet gateway
  --profile P     meter profile name from hardware/meters (simulator,
                  generic-dsmr, generic-iec62056-21, sdm630 for Modbus RTU)
                  or a path to a profile JSON
  --baud N        baud rate (default: the profile's)
  --data-bits N   5..8, --parity none|even|odd|mark|space, --stop-bits 1|2
                  (default: the profile's)
  --mode M        auto (default), push or poll
  --interval S    poll interval in seconds (poll mode, Modbus)
  --slave IDS     Modbus RTU: slave ids on the bus, polled in turn (e.g. 1,2,3;
                  default the profile's)
  --format F      table (default on a terminal) or jsonl (default otherwise)
  --json          the same as --format jsonl
  --count N       stop after N readings (exit 0)
  --timeout S     give up when no valid reading arrived for S seconds (exit 1)

Exit status: 0 done, 1 the port cannot be opened or no reading in time,
2 usage error.
`;

function profileOrUsage(name: string): AnyProfile {
  try {
    return loadAnyProfile(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function configFrom(values: Record<string, string | boolean | undefined>): MeterPortConfig {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const mode = str('mode') ?? 'auto';
  if (!['auto', 'push', 'poll'].includes(mode)) throw new UsageError(`--mode must be auto, push or poll, got "${mode}"`);
  const opt = (k: string, min: number) => (str(k) === undefined ? undefined : intOption(str(k), k, 0, min));
  const interval = opt('interval', 1);
  return {
    port: str('port') ?? '',
    baudRate: opt('baud', 50),
    dataBits: opt('data-bits', 5) as MeterPortConfig['dataBits'],
    parity: str('parity') as MeterPortConfig['parity'],
    stopBits: opt('stop-bits', 1) as MeterPortConfig['stopBits'],
    mode: mode as MeterPortConfig['mode'],
    pollIntervalMs: interval === undefined ? undefined : interval * 1000,
    staleTimeoutMs: 60_000,
    modbusSlaves: parseSlaveIds(str('slave')),
  };
}

async function portHint(): Promise<string> {
  const ports = await listPorts().catch(() => []);
  return ports.length ? `serial ports found: ${ports.map((p) => p.byId ?? p.path).join(', ')}` : 'no serial ports found on this machine';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseOptions(argv, {
    port: { type: 'string' },
    profile: { type: 'string' },
    baud: { type: 'string' },
    'data-bits': { type: 'string' },
    parity: { type: 'string' },
    'stop-bits': { type: 'string' },
    mode: { type: 'string' },
    interval: { type: 'string' },
    slave: { type: 'string' },
    count: { type: 'string' },
    timeout: { type: 'string' },
    format: { type: 'string' },
    json: { type: 'boolean' },
  });
  const format = outputFormat({ format: values.format, json: values.json, isTTY: io.isTTY === true, formats: ['table', 'jsonl'] });
  const table = format === 'table' ? streamedTable(READING_COLUMNS) : null;
  if (!values.port) throw new UsageError('--port is required');
  if (!values.profile) throw new UsageError('--profile is required');
  const count = intOption(values.count, 'count', 0, 1);
  const timeoutS = intOption(values.timeout, 'timeout', 0, 1);
  const profile = profileOrUsage(values.profile);
  let feed: Feed;
  try {
    const cfg = configFrom(values);
    feed = createFeed(linkOptionsFor(cfg, profile), profile, { slaves: modbusSlaveIds(cfg, profile) });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  try {
    await feed.open();
  } catch (e) {
    await feed.close();
    io.stderr(`chargeledger read: ${(e as Error).message}\n${await portHint()}\n`);
    return 1;
  }
  io.stderr(`reading ${values.port} with profile ${profile.name}${count ? `, ${count} reading(s)` : ''}; Ctrl-C to stop\n`);
  const code = await new Promise<number>((resolve) => {
    let printed = 0;
    let timer: NodeJS.Timeout | null = null;
    const rejected: Record<string, number> = {};
    const arm = () => {
      if (!timeoutS) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const why = Object.entries(rejected).map(([r, n]) => `${n} ${r}`).join(', ');
        io.stderr(`chargeledger read: no valid reading within ${timeoutS} s${why ? ` (rejected: ${why})` : ''}; check the wiring, baud rate and profile\n`);
        finish(1);
      }, timeoutS * 1000);
    };
    const finish = (c: number) => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSigint);
      feed.removeAllListeners();
      resolve(c);
    };
    const onSigint = () => finish(0);
    process.on('SIGINT', onSigint);
    feed.on('decoded', (ev: MeterEvent) => {
      if (!ev.ok) {
        rejected[ev.reason] = (rejected[ev.reason] ?? 0) + 1;
        io.stderr(`rejected: ${ev.reason}${ev.meterId ? ` (meter ${ev.meterId})` : ''}: ${ev.detail}\n`);
        return;
      }
      if (!table) io.stdout(`${JSON.stringify(ev.reading)}\n`);
      else io.stdout(`${printed === 0 ? `${table.header}\n` : ''}${table.row(ev.reading)}\n`);
      printed++;
      arm();
      if (count && printed >= count) finish(0);
    });
    feed.on('state', (s: LinkState) => io.stderr(s.connected ? `port ${values.port} open again\n` : `port lost: ${s.error?.message ?? 'closed'}; reopening\n`));
    feed.on('problem', (reason: string, err: Error) => io.stderr(`${reason}: ${err.message}\n`));
    feed.on('handshake', (h: { ident: string; baudRate: number }) => io.stderr(`signed on: ${h.ident} at ${h.baudRate} baud\n`));
    arm();
  });
  await feed.close();
  return code;
}

/** The `read` subcommand. */
export default { summary: 'print live readings from a meter port', usage, run } satisfies Command;

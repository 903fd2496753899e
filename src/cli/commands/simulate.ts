import { DEFAULT_SIM_CONFIG, SIM_ENV_KEYS, resolveSimConfig, type SimConfig } from '../../../hardware/simulator/config';
import { startSimulator } from '../../../hardware/simulator/server';
import { intOption, parseOptions, UsageError, type Command } from '../usage';

const FLAGS: Record<string, keyof SimConfig> = {
  connectors: 'connectors',
  'interval-ms': 'intervalMs',
  'session-wh': 'sessionWh',
  'offer-a': 'defaultOfferA',
  'max-current-a': 'maxCurrentA',
  phases: 'phases',
  'ramp-delay-ms': 'rampDelayMs',
  'arrival-gap-ms': 'arrivalGapMs',
  'building-load-a': 'buildingLoadA',
  'charger-id': 'chargerId',
  seed: 'seed',
  visits: 'visits',
};

const usage = `Usage: chargeledger simulate [options]

Runs a simulated charger site: a site meter and one meter per connector sending
DSMR-5 telegrams (valid CRC-16) on a TCP port, and EVs that plug in, charge at
the current the load limiter allows, finish and leave. Charger events go out and
setpoints come in as JSON lines on a second TCP port (see hardware/simulator/README.md).

Options (environment variable, default):
  --host ADDR              listen address (127.0.0.1)
  --meter-port N           telegram port, 0 = any free port (CHARGELEDGER_SIM_METER_PORT, 0)
  --control-port N         events/setpoints port, 0 = any (CHARGELEDGER_SIM_CONTROL_PORT, 0)
  --meter-device PATH      also write telegrams to this tty (a socat pseudo-terminal)
  --modbus-device PATH     also answer Modbus RTU polls on this tty as an Eastron
                           SDM630 (slave 1, 9600 8N1) showing the site meter
  --state FILE             keep the meter registers in FILE: restored at start, saved
                           (atomically) every interval and on exit, so they go on
                           counting across restarts as a real meter's do
  --truth FILE.jsonl       append one JSON line per finished visit (connector, idTag,
                           plug/unplug times, register at start and end), fsynced: the
                           ground truth to check a station's records against
  --wait-for-control       no EV arrives before a controller has connected to the
                           control port (each controller gets one state report per
                           connector when it connects, in any case)
${Object.entries(FLAGS)
  .map(([flag, key]) => `  --${`${flag} V`.padEnd(23)} ${key} (${SIM_ENV_KEYS[key]}, ${DEFAULT_SIM_CONFIG[key]})`)
  .join('\n')}

Prints one JSON line {"ready":true,"meterPort":…,"controlPort":…} once listening,
then runs until SIGINT or SIGTERM. On SIGUSR2 no more EVs arrive: those present
finish and leave, and it prints {"closed":true} then {"empty":true} once no EV is
left (a clean end for test runs). Run it as its own process, apart from the
controller, to test power loss of the controller: the meters keep counting.
`;

const command: Command = {
  summary: 'run the charger-site simulator (meters and EVs)',
  usage,
  async run(argv, io) {
    const stringOpt = { type: 'string' } as const;
    const options = Object.fromEntries([...Object.keys(FLAGS), 'host', 'meter-port', 'control-port', 'meter-device', 'modbus-device', 'state', 'truth'].map((f) => [f, stringOpt]));
    const { values } = parseOptions(argv, { ...options, 'wait-for-control': { type: 'boolean' } });
    const v = values as Record<string, string | undefined>;
    const overrides: Partial<Record<keyof SimConfig, string>> = {};
    for (const [flag, key] of Object.entries(FLAGS)) if (v[flag] !== undefined) overrides[key] = v[flag];
    let cfg: SimConfig;
    try {
      cfg = resolveSimConfig(overrides, process.env);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const sim = await startSimulator(cfg, {
      host: v.host ?? '127.0.0.1',
      meterPort: intOption(v['meter-port'] ?? process.env.CHARGELEDGER_SIM_METER_PORT, 'meter-port', 0),
      controlPort: intOption(v['control-port'] ?? process.env.CHARGELEDGER_SIM_CONTROL_PORT, 'control-port', 0),
      meterDevice: v['meter-device'],
      modbusDevice: v['modbus-device'],
      stateFile: v.state,
      truthFile: v.truth,
      waitForControl: (values as Record<string, unknown>)['wait-for-control'] === true,
    }, (line) => io.stderr(`simulate: ${line}\n`));
    io.stdout(`${JSON.stringify({ ready: true, meterPort: sim.meterPort, controlPort: sim.controlPort, connectors: cfg.connectors })}\n`);
    const close = (): void => {
      sim.site.closeArrivals();
      io.stdout(`${JSON.stringify({ closed: true })}\n`);
      const check = setInterval(() => {
        if (!sim.site.empty) return;
        clearInterval(check);
        io.stdout(`${JSON.stringify({ empty: true })}\n`);
      }, cfg.intervalMs);
    };
    process.on('SIGUSR2', close);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.off('SIGUSR2', close);
    await sim.stop();
    return 0;
  },
};

export default command;

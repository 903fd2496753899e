// A Modbus RTU meter (simulated SDM630 on a real pty) through the meter nodes on the real runtime.
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAnyProfile } from '../../src/adapters/profiles';
import type { ModbusProfile } from '../../src/core/meter/modbus-meter';
import { ModbusSlave } from '../../hardware/simulator/modbus-slave';
import { nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';
import { fastSettings, meterFlow, meterModules, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

const stops: Array<() => unknown> = [];
beforeEach(() => fastSettings());
afterEach(async () => {
  await nodeRed.unload();
  while (stops.length) await stops.pop()!();
});

/** A pty whose meter end is an RS-485 bus with simulated SDM630s at these slave ids. */
async function busOnPty(slaves: number[]) {
  const pty = newPty();
  stops.push(() => pty.stop());
  await pty.start();
  const bus = new SerialPort({ path: pty.meterPath, baudRate: 9600 });
  await new Promise((resolve, reject) => bus.once('open', resolve).once('error', reject));
  stops.push(() => new Promise<void>((resolve) => (bus.isOpen ? bus.close(() => resolve()) : resolve())));
  const profile = loadAnyProfile('sdm630') as ModbusProfile;
  const meters = slaves.map((slave) => new ModbusSlave({ ...profile, slave }, (frame) => bus.write(frame)));
  bus.on('data', (chunk: Buffer) => meters.forEach((m) => m.receive(chunk)));
  return { pty, meters };
}

describe.runIf(needBinary('socat'))('chargeledger-meter with a Modbus RTU profile', () => {
  it('polls the meter, emits exact readings, and goes red on a corrupt answer without passing it on', async () => {
    const { pty, meters } = await busOnPty([1]);
    const [slave] = meters;
    slave.setState({ energyImportWh: 5_000_001, powerW: 7_360, voltageV: [230, 230, 230], currentA: [10.5, 10.5, 10.5], frequencyHz: 49.98 });

    const flow = meterFlow(pty.hostPath, { profile: 'sdm630' });
    (flow[0] as Record<string, unknown>).pollIntervalS = '0.2';
    await nodeRed.load(meterModules(), flow);
    const readings = recordMsgs('readings');
    const status = recordStatus('meter');
    const r = await waitForItem(readings, () => true);
    expect(r).toMatchObject({ kind: 'reading', topic: 'sdm630-1', payload: { meterId: 'sdm630-1', energyImportWh: 5_000_001, powerW: 7_360, currentA: [10.5, 10.5, 10.5], frequencyHz: 49.98 } });
    await waitForItem(status, (s) => s.fill === 'green');

    slave.fault = 'bad_crc';
    const n = readings.length;
    const redAt = status.indexOf(await waitForItem(status, (s) => s.fill === 'red'));
    expect(readings.length).toBeLessThanOrEqual(n + 1); // at most one poll already on its way
    const afterRed = readings.length;
    slave.fault = 'none';
    await waitFor(() => status.slice(redAt + 1).some((s) => s.fill === 'green') && readings.length > afterRed, 5000);
  });

  it('reads several meters on one bus; a meter node with a meter id passes on only that one', async () => {
    const { pty, meters } = await busOnPty([1, 2]);
    meters[0].setState({ energyImportWh: 9_000_000, currentA: [40, 40, 40] });
    meters[1].setState({ energyImportWh: 12_345, currentA: [16, 0, 0] });

    const flow = meterFlow(pty.hostPath, { profile: 'sdm630', meterId: 'sdm630-2' });
    Object.assign(flow[0] as Record<string, unknown>, { pollIntervalS: '0.2', slaves: '1, 2' });
    await nodeRed.load(meterModules(), flow);
    const readings = recordMsgs('readings');
    await waitFor(() => readings.length >= 2, 5000);
    expect(new Set(readings.map((m) => m.topic))).toEqual(new Set(['sdm630-2']));
    expect(readings[0].payload).toMatchObject({ meterId: 'sdm630-2', energyImportWh: 12_345, currentA: [16, 0, 0] });
    expect(meters[0].requests).toBeGreaterThan(0); // slave 1 is polled too, for other meter nodes
  });

  it('refuses slave ids that are not 1..247: the port names the problem and the meter node goes red', async () => {
    const flow = meterFlow('/dev/null-chargeledger', { profile: 'sdm630' });
    Object.assign(flow[0] as Record<string, unknown>, { slaves: '1, 300' });
    await nodeRed.load(meterModules(), flow);
    const status = recordStatus('meter');
    const port = nodeRed.getNode('port') as unknown as { configError: Error | null };
    expect(port.configError?.message).toMatch(/Modbus slave ids must be 1..247, got 300/);
    await waitForItem(status, (s) => s.fill === 'red' && s.text === 'port config error');
  });
});

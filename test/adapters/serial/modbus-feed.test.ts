// Modbus RTU polling over a real pseudo-terminal: the simulated slave sits on the meter end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAnyProfile } from '../../../src/adapters/profiles';
import { createFeed } from '../../../src/adapters/serial/feed';
import { ModbusFeed, interFrameGapMs, lineTimeMs } from '../../../src/adapters/serial/modbus-feed';
import { linkOptionsFor } from '../../../src/adapters/serial/port-config';
import type { DecodeEvent } from '../../../src/core/meter/events';
import type { ModbusProfile } from '../../../src/core/meter/modbus-meter';
import { ModbusSlave } from '../../../hardware/simulator/modbus-slave';
import { PtyPair } from '../../helpers/socat';
import { waitFor } from '../../helpers/ports';
import { needBinary } from '../../helpers/realdeps';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const STATE = { energyImportWh: 1_234_567, energyExportWh: 89, powerW: 11_040, voltageV: [230.1, 229.8, 231], currentA: [16, 15.5, 16.25], frequencyHz: 50 };

/** Simulated meters sharing the meter end of a pty, as slaves share an RS-485 bus; resolves once it is open. */
async function metersOn(meterPath: string, profiles: ModbusProfile[]): Promise<ModbusSlave[]> {
  const bus = new SerialPort({ path: meterPath, baudRate: 9600 });
  await new Promise((resolve, reject) => bus.once('open', resolve).once('error', reject));
  bus.on('error', () => {});
  cleanups.push(() => new Promise<void>((resolve) => (bus.isOpen ? bus.close(() => resolve()) : resolve())));
  const slaves = profiles.map((p) => new ModbusSlave(p, (frame) => bus.write(frame)));
  for (const slave of slaves) slave.setState(STATE);
  bus.on('data', (chunk: Buffer) => slaves.forEach((slave) => slave.receive(chunk)));
  return slaves;
}

/** One simulated meter on the meter end of a pty. */
async function meterOn(meterPath: string, profile: ModbusProfile): Promise<ModbusSlave> {
  return (await metersOn(meterPath, [profile]))[0];
}

/** A pty with the simulated SDM630 (slave 1) on its meter end, and a feed polling the other end. */
async function rig(feedOverrides: Partial<ModbusProfile> = {}, slaves?: number[], meterSlaves = [1]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-modbus-'));
  const pair = new PtyPair(path.join(dir, 'meter'), path.join(dir, 'host'));
  cleanups.push(() => pair.stop());
  await pair.start();
  const meterProfile = { ...(loadAnyProfile('sdm630') as ModbusProfile), responseTimeoutMs: 150 };
  const onBus = await metersOn(pair.meterPath, meterSlaves.map((id) => ({ ...meterProfile, slave: id })));
  const slave = onBus[0];
  const profile = { ...meterProfile, ...feedOverrides };
  const opts = linkOptionsFor({ port: pair.hostPath, pollIntervalMs: 200, staleTimeoutMs: 5000 }, profile, { initialMs: 50, maxMs: 300, jitter: 0.2 });
  const feed = createFeed(opts, profile, { slaves }) as ModbusFeed;
  const events: DecodeEvent[] = [];
  feed.on('decoded', (ev: DecodeEvent) => events.push(ev));
  cleanups.push(() => feed.close());
  return { pair, slave, onBus, feed, events, profile };
}

describe('Modbus RTU timing', () => {
  it('waits 3.5 characters between frames, and 1.75 ms above 19200 baud', () => {
    expect(interFrameGapMs(9600)).toBeCloseTo(4.01, 2);
    expect(interFrameGapMs(115200)).toBe(1.75);
  });
  it('allows for the time request and answer take on the wire', () => {
    // An SDM630 poll: 8-byte request, 5 + 2 × 76-byte answer, 11 bits a character.
    expect(lineTimeMs(8 + 157, 9600)).toBeCloseTo(189.06, 2);
    expect(lineTimeMs(8 + 157, 2400)).toBeCloseTo(756.25, 2);
  });
});

describe.runIf(needBinary('socat'))('ModbusFeed over a real pty', () => {
  it('polls an SDM630 every interval and decodes exact readings', async () => {
    const { feed, events, slave } = await rig();
    expect(feed).toBeInstanceOf(ModbusFeed);
    await feed.open();
    await waitFor(() => events.filter((e) => e.ok).length >= 2, 5000);
    const [first, second] = events.filter((e) => e.ok) as Array<Extract<DecodeEvent, { ok: true }>>;
    expect(first.reading).toMatchObject({ meterId: 'sdm630-1', seq: 1, energyImportWh: 1_234_567, energyExportWh: 89, powerW: 11_040, voltageV: [230.1, 229.8, 231], currentA: [16, 15.5, 16.25], frequencyHz: 50 });
    expect(second.reading.seq).toBe(2);
    expect(events.every((e) => e.ok)).toBe(true);
    slave.setState({ ...STATE, energyImportWh: 1_234_600 });
    await waitFor(() => events.some((e) => e.ok && e.reading.energyImportWh === 1_234_600), 3000);
  });

  it('reports a silent slave as a rejection naming the timeout, and reads again when it answers', async () => {
    const { feed, events, slave } = await rig();
    slave.fault = 'silent';
    await feed.open();
    const miss = await waitFor(() => events.find((e) => !e.ok), 3000);
    expect(miss).toMatchObject({ ok: false, reason: 'truncated', meterId: 'sdm630-1', detail: 'no response from Modbus slave 1 within 150 ms' });
    expect(events.some((e) => e.ok)).toBe(false);
    slave.fault = 'none';
    await waitFor(() => events.some((e) => e.ok), 3000);
  });

  it.each([
    ['bad_crc', 'bad_checksum'],
    ['exception', 'missing_register'],
    ['truncated', 'truncated'],
  ] as const)('never passes a %s answer on as a reading (%s)', async (fault, reason) => {
    const { feed, events, slave } = await rig();
    slave.fault = fault;
    await feed.open();
    await waitFor(() => events.filter((e) => !e.ok).length >= 2, 3000);
    expect(events.some((e) => e.ok)).toBe(false);
    expect(events.every((e) => !e.ok && e.reason === reason)).toBe(true);
  });

  it('ignores answers of other slaves on the bus', async () => {
    // The simulated meter is slave 1; the feed asks slave 7.
    const { feed, events, slave } = await rig({ slave: 7 });
    await feed.open();
    const miss = await waitFor(() => events.find((e) => !e.ok), 3000);
    expect(miss).toMatchObject({ reason: 'truncated', detail: 'no response from Modbus slave 7 within 150 ms' });
    expect(slave.requests).toBe(0);
  });

  it('polls every meter on an RS-485 bus in turn; one that stays silent does not hold up the others', async () => {
    // Slaves 1 and 2 share the bus (the same pty end); slave 3 is configured but absent.
    const { feed, events, onBus } = await rig({}, [1, 2, 3], [1, 2]);
    onBus[1].setState({ ...STATE, energyImportWh: 42_000, currentA: [6, 0, 0] });
    await feed.open();
    await waitFor(() => ['sdm630-1', 'sdm630-2'].every((id) => events.filter((e) => e.ok && e.reading.meterId === id).length >= 2), 5000);
    const byId = (id: string) => events.filter((e) => e.ok && e.reading.meterId === id) as Array<Extract<DecodeEvent, { ok: true }>>;
    expect(byId('sdm630-1')[0].reading).toMatchObject({ energyImportWh: 1_234_567, seq: 1 });
    expect(byId('sdm630-2')[0].reading).toMatchObject({ energyImportWh: 42_000, currentA: [6, 0, 0], seq: 1 });
    const misses = events.filter((e) => !e.ok);
    expect(misses.length).toBeGreaterThan(0);
    expect(misses.every((e) => !e.ok && e.meterId === 'sdm630-3' && e.detail === 'no response from Modbus slave 3 within 150 ms')).toBe(true);
  });

  it('stops polling on an unplug and polls again after the replug', async () => {
    const { pair, feed, events, profile } = await rig();
    const states: boolean[] = [];
    feed.on('state', (s: { connected: boolean }) => states.push(s.connected));
    await feed.open();
    await waitFor(() => events.some((e) => e.ok), 3000);
    await pair.stop();
    await waitFor(() => states.includes(false), 3000);
    const before = events.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(events.length).toBe(before); // no polls into a missing port, no rejections either
    await pair.start();
    const slave = await meterOn(pair.meterPath, profile);
    await waitFor(() => states.at(-1) === true, 5000);
    await waitFor(() => events.slice(before).some((e) => e.ok), 5000);
    expect(slave.requests).toBeGreaterThan(0);
  });
});

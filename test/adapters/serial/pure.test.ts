import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelayMs } from '../../../src/adapters/serial/backoff';
import { formatAddress, parseAddress, serialSettingsProblems } from '../../../src/adapters/serial/address';
import { ackOptionSelect, isIdentLine, modeCBaudRate } from '../../../src/adapters/serial/iec-mode-c';
import { listPorts, scanDev } from '../../../src/adapters/serial/list-ports';
import { linkConfigKey, linkOptionsFor, modbusSlaveIds, parseSlaveIds } from '../../../src/adapters/serial/port-config';
import { loadAnyProfile, loadProfile } from '../../../src/adapters/profiles';

describe('backoff', () => {
  it('doubles from the initial delay up to the cap without jitter', () => {
    const o = { initialMs: 100, maxMs: 1000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 10, 1000].map((a) => backoffDelayMs(a, o))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
  it('property: jitter stays within ±jitter of the base and within [0, max]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
        const o = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };
        const base = Math.min(30_000, 500 * 2 ** attempt);
        const d = backoffDelayMs(attempt, o, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(d).toBeLessThanOrEqual(30_000);
      }),
    );
  });
  it('spreads delays: two random sources give different delays', () => {
    const o = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };
    expect(backoffDelayMs(3, o, () => 0)).not.toBe(backoffDelayMs(3, o, () => 0.99));
  });
});

describe('port address', () => {
  it('reads device paths and tcp URLs', () => {
    expect(parseAddress('/dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(parseAddress(' tcp://10.0.0.5:2001 ')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2001 });
    expect(parseAddress('tcp://[::1]:4001')).toEqual({ kind: 'tcp', host: '::1', port: 4001 });
    expect(formatAddress(parseAddress('tcp://[::1]:4001'))).toBe('tcp://[::1]:4001');
  });
  it('rejects what it cannot use, saying why', () => {
    expect(() => parseAddress('')).toThrow(/no port given/);
    expect(() => parseAddress('tcp://gw')).toThrow(/expected tcp:\/\/host:port/);
    expect(() => parseAddress('tcp://gw:70000')).toThrow(/1\.\.65535/);
    expect(() => parseAddress('rfc2217://gw:1')).toThrow(/expected tcp/);
  });
  it('checks serial settings', () => {
    expect(serialSettingsProblems({ baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 })).toEqual([]);
    expect(serialSettingsProblems({ baudRate: 12.5, dataBits: 9 as never, parity: 'x' as never, stopBits: 3 as never })).toHaveLength(4);
  });
});

describe('IEC 62056-21 mode C', () => {
  it('reads the baud char of the identification', () => {
    expect(modeCBaudRate('/LGZ5ZMD3104407.B32\r')).toBe(9600);
    expect(modeCBaudRate('/ISK6MT174-0001')).toBe(19200);
    expect(modeCBaudRate('/AEL0A100')).toBe(300);
    expect(modeCBaudRate('/XYZE100')).toBeNull(); // mode B letter
  });
  it('recognises identification lines and builds the acknowledgement', () => {
    expect(isIdentLine('\0/LGZ5ZMD\r')).toBe(true);
    expect(isIdentLine('1.8.0(000123.4*kWh)')).toBe(false);
    expect(ackOptionSelect('5')).toBe('\x06050\r\n');
  });
});

describe('port listing', () => {
  it('falls back to scanning /dev when SerialPort.list() fails (no udevadm)', async () => {
    const dev = mkdtempSync(path.join(tmpdir(), 'cl-dev-'));
    for (const n of ['ttyUSB0', 'ttyUSB10', 'ttyUSB2', 'ttyACM0', 'ttyAMA0', 'ttyS0', 'tty0', 'null']) writeFileSync(path.join(dev, n), '');
    mkdirSync(path.join(dev, 'pts'));
    for (const n of ['0', '3', 'ptmx']) writeFileSync(path.join(dev, 'pts', n), '');
    mkdirSync(path.join(dev, 'serial', 'by-id'), { recursive: true });
    symlinkSync(path.join(dev, 'ttyUSB0'), path.join(dev, 'serial', 'by-id', 'usb-FTDI_P1-if00'));
    const failing = () => Promise.reject(new Error('spawn udevadm ENOENT'));
    const ports = await listPorts(dev, failing);
    expect(ports.map((p) => path.relative(dev, p.path))).toEqual(['ttyACM0', 'ttyAMA0', 'ttyS0', 'ttyUSB0', 'ttyUSB2', 'ttyUSB10']);
    expect(ports.every((p) => p.source === 'scan')).toBe(true);
    expect(ports.find((p) => p.path.endsWith('ttyUSB0'))?.byId).toBe(path.join(dev, 'serial', 'by-id', 'usb-FTDI_P1-if00'));
  });
  it('keeps udev details and adds what udev does not list', async () => {
    const dev = mkdtempSync(path.join(tmpdir(), 'cl-dev-'));
    writeFileSync(path.join(dev, 'ttyUSB0'), '');
    writeFileSync(path.join(dev, 'ttyACM0'), '');
    const ports = await listPorts(dev, async () => [{ path: path.join(dev, 'ttyUSB0'), manufacturer: 'FTDI', vendorId: '0403' }]);
    expect(ports).toEqual([
      { path: path.join(dev, 'ttyUSB0'), manufacturer: 'FTDI', vendorId: '0403', serialNumber: undefined, productId: undefined, source: 'udev' },
      { path: path.join(dev, 'ttyACM0'), source: 'scan' },
    ]);
  });
  it('works against the real /dev of this machine', async () => {
    const ports = await listPorts();
    expect(Array.isArray(ports)).toBe(true);
    expect(await scanDev('/nonexistent-dir')).toEqual([]);
  });
});

describe('port settings from the profile', () => {
  const cfg = { port: '/dev/ttyUSB0', staleTimeoutMs: 30_000 };
  it('a telegram meter gets a line link: push for DSMR, poll with a sign-on for IEC mode C', () => {
    expect(linkOptionsFor(cfg, loadProfile('generic-dsmr'))).toMatchObject({ mode: 'push', handshake: 'none', serial: { baudRate: 115200 } });
    expect(linkOptionsFor(cfg, loadProfile('generic-iec62056-21'))).toMatchObject({ mode: 'poll', handshake: 'iec-mode-c', serial: { baudRate: 300, dataBits: 7, parity: 'even' } });
    expect(linkOptionsFor(cfg, loadProfile('generic-dsmr')).raw).toBeUndefined();
  });
  it('a Modbus meter gets a raw link at its line settings, polled by the feed every second unless configured', () => {
    const sdm = loadAnyProfile('sdm630');
    expect(linkOptionsFor(cfg, sdm)).toMatchObject({ raw: true, mode: 'push', handshake: 'none', pollIntervalMs: 1000, serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } });
    expect(linkOptionsFor({ ...cfg, pollIntervalMs: 250, baudRate: 19200 }, sdm)).toMatchObject({ pollIntervalMs: 250, serial: { baudRate: 19200 } });
    expect(() => linkOptionsFor({ ...cfg, mode: 'push' }, sdm)).toThrow(/Modbus RTU meter answers polls only/);
    // Over an RS-485-to-Ethernet gateway a long silence means a half-open connection: reconnect.
    expect(linkOptionsFor(cfg, sdm).idleTimeoutMs).toBe(0);
    expect(linkOptionsFor({ ...cfg, port: 'tcp://10.0.0.5:502' }, sdm).idleTimeoutMs).toBe(120_000);
    expect(() => linkOptionsFor({ ...cfg, pollIntervalMs: 20 }, sdm)).toThrow(/poll interval must be at least 100 ms, got 20/);
  });
  it('a changed poll interval reopens a Modbus port (it is part of the shared-port key)', () => {
    const sdm = loadAnyProfile('sdm630');
    expect(linkConfigKey(linkOptionsFor(cfg, sdm), 'sdm630')).not.toBe(linkConfigKey(linkOptionsFor({ ...cfg, pollIntervalMs: 2000 }, sdm), 'sdm630'));
  });
  it('Modbus slave ids: the one of the profile by default, a checked list when configured, none for telegram meters', () => {
    const sdm = loadAnyProfile('sdm630');
    expect(parseSlaveIds('1, 2;3 10')).toEqual([1, 2, 3, 10]);
    expect(parseSlaveIds('  ')).toBeUndefined();
    expect(modbusSlaveIds(cfg, sdm)).toEqual([1]);
    expect(modbusSlaveIds({ ...cfg, modbusSlaves: parseSlaveIds('3,1') }, sdm)).toEqual([3, 1]);
    expect(() => modbusSlaveIds({ ...cfg, modbusSlaves: parseSlaveIds('1,x,300') }, sdm)).toThrow(/slave ids must be 1..247, got NaN, 300/);
    expect(() => modbusSlaveIds({ ...cfg, modbusSlaves: [2, 2] }, sdm)).toThrow(/listed twice/);
    expect(modbusSlaveIds(cfg, loadProfile('generic-dsmr'))).toEqual([]);
    expect(() => modbusSlaveIds({ ...cfg, modbusSlaves: [1] }, loadProfile('generic-dsmr'))).toThrow(/slave ids apply to Modbus RTU profiles only/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { DEFAULT_SIM_CONFIG } from '../../hardware/simulator/config';
import { parseSetpointLine, startSimulator, type RunningSimulator } from '../../hardware/simulator/server';
import { crc16arc, formatCrc16 } from '../../src/core/meter/crc16';
import { waitFor } from '../helpers/ports';

function collect(port: number): { socket: Socket; text: () => string } {
  let buf = '';
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (buf += d));
  return { socket, text: () => buf };
}

describe('simulator over TCP', () => {
  let sim: RunningSimulator | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await sim?.stop();
  });

  it('sends one telegram per meter per interval, each with a valid CRC-16', async () => {
    sim = await startSimulator({ ...DEFAULT_SIM_CONFIG, intervalMs: 100 }, { host: '127.0.0.1', meterPort: 0, controlPort: 0 });
    const meter = collect(sim.meterPort);
    sockets.push(meter.socket);
    const telegrams = await waitFor(() => {
      const all = meter.text().match(/\/[^!]*![0-9A-F]{4}\r\n/g) ?? [];
      return all.length >= 6 ? all : null;
    });
    const ids = new Set<string>();
    for (const t of telegrams) {
      const bang = t.indexOf('!');
      expect(t.slice(bang + 1, bang + 5)).toBe(formatCrc16(crc16arc(Buffer.from(t.slice(0, bang + 1), 'latin1'))));
      ids.add(Buffer.from(/0-0:96\.1\.1\(([0-9A-F]+)\)/.exec(t)![1], 'hex').toString('ascii'));
    }
    expect([...ids].sort()).toEqual(['CP1-1', 'CP1-2', 'SITE']);
  });

  it('emits charger events and applies setpoints from the control port', async () => {
    sim = await startSimulator({ ...DEFAULT_SIM_CONFIG, connectors: 1, intervalMs: 100, arrivalGapMs: 0, rampDelayMs: 0, sessionWh: 100_000 }, { host: '127.0.0.1', meterPort: 0, controlPort: 0 });
    const control = collect(sim.controlPort);
    sockets.push(control.socket);
    await waitFor(() => control.text().includes('"event":"start"'), 10000);
    control.socket.write(`${JSON.stringify({ payload: { connectorId: '1', currentA: 7.5 } })}\n`);
    await waitFor(() => sim!.site.connectors[0].offerA(Date.now()) === 7.5);
    const lines = control.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event).map((l) => l.event).slice(0, 3)).toEqual(['plug', 'authorize', 'start']);
  });

  it('ignores control lines that are not setpoints', () => {
    expect(parseSetpointLine('not json')).toBeNull();
    expect(parseSetpointLine('{"connectorId":"1","currentA":-1}')).toBeNull();
    expect(parseSetpointLine('{"connectorId":"1","currentA":"16","validForS":30}')).toEqual({ connectorId: '1', currentA: 16, validForS: 30, safeCurrentA: undefined });
  });
});

// An IEC 62056-21 mode C meter behind an optical head, polled by the meter node on the real runtime.
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { iecBcc } from '../../src/core/meter/iec62056';
import { nodeRed } from '../helpers/nodered';
import { needBinary } from '../helpers/realdeps';
import { fastSettings, meterFlow, meterModules, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

const stops: Array<() => unknown> = [];
afterEach(async () => {
  await nodeRed.unload();
  while (stops.length) await stops.pop()!();
});

/** A mode C meter: answers "/?!" with its identification, and the acknowledgement with a readout. */
function modeCMeter(path: string, readout: () => string) {
  const port = new SerialPort({ path, baudRate: 300, dataBits: 7, parity: 'even', stopBits: 1 });
  const received: string[] = [];
  let rx = '';
  port.on('data', (d: Buffer) => {
    rx += d.toString('latin1');
    if (rx.endsWith('/?!\r\n')) {
      received.push(rx);
      rx = '';
      port.write('/LGZ4ZMD3104407.B32\r\n');
    } else if (rx.endsWith('\x06040\r\n')) {
      received.push(rx);
      rx = '';
      const body = `\x02${readout()}!\r\n\x03`;
      port.write(Buffer.concat([Buffer.from(body, 'latin1'), Buffer.from([iecBcc(Buffer.from(body, 'latin1'))])]));
    }
  });
  stops.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  return received;
}

describe.runIf(needBinary('socat'))('chargeledger-meter with an IEC 62056-21 mode C meter', () => {
  it('signs on every poll, switches baud rate, and emits the reading as soon as the BCC arrives', async () => {
    fastSettings();
    const pty = newPty();
    stops.push(() => pty.stop());
    await pty.start();
    let wh = 123_456;
    const received = modeCMeter(pty.meterPath, () => `0.0.0(71234567)\r\n1.8.0(${String((wh += 10) / 1000).padStart(10, '0')}*kWh)\r\n1.7.0(03.680*kW)\r\n32.7.0(229.9*V)\r\n`);
    const flow = meterFlow(pty.hostPath, { profile: 'generic-iec62056-21' });
    Object.assign(flow[0], { pollIntervalS: 1 });
    await nodeRed.load(meterModules(), flow);
    const readings = recordMsgs('readings');
    const status = recordStatus('meter');
    const first = await waitForItem(readings, () => true);
    expect(first).toMatchObject({ kind: 'reading', topic: '71234567', payload: { meterId: '71234567', energyImportWh: 123_466, powerW: 3680 } });
    expect(first.payload.voltageV[0]).toBe(229.9);
    // Sign-on, then the acknowledgement selecting the offered 4800 baud ('4').
    expect(received[0]).toBe('/?!\r\n');
    expect(received).toContain('\x06040\r\n');
    await waitForItem(status, (s) => s.fill === 'green' && s.text === 'ok 3.7 kW');
    // The second poll signs on again (back at 300 baud) and yields the next reading.
    const second = await waitForItem(readings, (m) => m.payload.seq === first.payload.seq + 1, 5000);
    expect(second.payload.energyImportWh).toBe(123_476);
    expect(received.length).toBeGreaterThanOrEqual(4);
  });
});

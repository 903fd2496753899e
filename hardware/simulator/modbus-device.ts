// The simulated site meter as an Eastron SDM630 on a serial device (one end of a socat pty
// pair): a Modbus RTU slave answering the controller's polls with the site's live values.
import { SerialPort } from 'serialport';
import { loadAnyProfile } from '../../src/adapters/profiles';
import type { ModbusProfile } from '../../src/core/meter/modbus-meter';
import { ModbusSlave } from './modbus-slave';
import type { MeterSnapshot } from './site';

/** A Modbus meter being served; `show` updates what it answers. */
export interface ServedModbusMeter {
  slave: ModbusSlave;
  show(m: MeterSnapshot): void;
  close(): Promise<void>;
}

/** Open `devicePath` at the profile's line settings and answer polls as the `profileName` meter. */
export async function serveModbusMeter(devicePath: string, profileName = 'sdm630', log: (line: string) => void = () => {}): Promise<ServedModbusMeter> {
  const profile = loadAnyProfile(profileName) as ModbusProfile;
  if (profile.protocol !== 'modbus-rtu') throw new Error(`profile ${profileName} is not a Modbus RTU register map`);
  const s = profile.serial ?? { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
  const port = new SerialPort({ path: devicePath, baudRate: s.baud, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(`cannot open ${devicePath}: ${err.message}`)) : resolve())));
  port.on('error', (e: Error) => log(`modbus device: ${e.message}`));
  const slave = new ModbusSlave(profile, (frame) => port.write(frame));
  port.on('data', (chunk: Buffer) => slave.receive(chunk));
  return {
    slave,
    show: (m) => slave.setState({ energyImportWh: m.energyImportWh, powerW: m.powerW, voltageV: m.voltageV, currentA: m.currentA, frequencyHz: m.frequencyHz }),
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

// A simulated Modbus RTU energy meter (slave): answers read-holding/input-register requests
// (FC03/FC04) with float32 values laid out by a Modbus meter profile, for tests, the bench and
// `chargeledger simulate`. Faults can be switched on to exercise the master's error paths.
import { crcValid, exceptionResponse, registersResponse } from '../../src/core/meter/modbus';
import type { ModbusProfile, ModbusRegister } from '../../src/core/meter/modbus-meter';
import { unitShift } from '../../src/core/meter/obis';

/** What the meter measures, in the units of MeterReading. */
export interface ModbusMeterState {
  energyImportWh: number;
  energyExportWh?: number;
  powerW?: number;
  voltageV?: number[];
  currentA?: number[];
  frequencyHz?: number;
}

/** A fault to answer with instead of a good frame. */
export type ModbusFault = 'none' | 'silent' | 'bad_crc' | 'exception' | 'truncated';

const REQUEST_BYTES = 8;
const QUANTITY = { energyImportWh: 'energy', energyExportWh: 'energy', powerW: 'power', frequencyHz: 'frequency', voltageV: 'voltage', currentA: 'current' } as const;

/** A slave on a byte stream: feed it the master's bytes, it calls `send` with its answers. */
export class ModbusSlave {
  /** The fault the next answers carry ('none': good frames). */
  fault: ModbusFault = 'none';
  /** Requests answered (or ignored by a fault) so far. */
  requests = 0;
  private buf = Buffer.alloc(0);
  private readonly words = new Map<number, number>();

  constructor(
    readonly profile: ModbusProfile,
    private readonly send: (frame: Buffer) => void,
  ) {}

  /** Set the measured values; they are written into the registers the profile maps them to. */
  setState(state: ModbusMeterState): void {
    for (const [field, regs] of Object.entries(this.profile.registers) as [keyof typeof QUANTITY, ModbusRegister | ModbusRegister[]][]) {
      const v = state[field];
      if (v === undefined) continue;
      const values = Array.isArray(v) ? v : [v];
      (Array.isArray(regs) ? regs : [regs]).forEach((reg, i) => {
        if (values[i] === undefined) return;
        // Reading units are Wh, W, V, A, Hz; the register holds the profile's unit (kWh: /1000).
        const shift = unitShift(reg.unit, QUANTITY[field]) ?? 0;
        this.putFloat32(reg.address, values[i] / 10 ** shift);
      });
    }
  }

  /** Bytes from the master: every complete request for this slave is answered. */
  receive(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= REQUEST_BYTES) {
      const frame = this.buf.subarray(0, REQUEST_BYTES);
      // Why one byte: a frame that fails its CRC is noise or a partial frame; resynchronise.
      if (!crcValid(frame)) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      this.buf = this.buf.subarray(REQUEST_BYTES);
      this.answer(frame);
    }
  }

  private answer(req: Buffer): void {
    const [slave, fn] = req;
    if (slave !== this.profile.slave || (fn !== 3 && fn !== 4)) return; // another slave's request
    this.requests++;
    const address = req.readUInt16BE(2);
    const count = req.readUInt16BE(4);
    if (this.fault === 'silent') return;
    if (this.fault === 'exception' || fn !== this.profile.function) {
      // Exception 2: illegal data address, what a meter says for registers it does not have.
      this.send(Buffer.from(exceptionResponse(slave, fn, 2)));
      return;
    }
    const data = Buffer.alloc(count * 2);
    for (let k = 0; k < count; k++) data.writeUInt16BE(this.words.get(address + k) ?? 0, k * 2);
    const frame = Buffer.from(registersResponse(slave, fn as 3 | 4, data));
    if (this.fault === 'bad_crc') frame[frame.length - 1] ^= 0xff;
    this.send(this.fault === 'truncated' ? frame.subarray(0, frame.length - 7) : frame);
  }

  private putFloat32(address: number, value: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value, 0);
    this.words.set(address, b.readUInt16BE(0));
    this.words.set(address + 1, b.readUInt16BE(2));
  }
}

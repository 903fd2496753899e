// Modbus RTU meters as profiles: a register map (hardware/meters/<name>.json) turns the
// float32 input registers of e.g. an Eastron SDM630 into a MeterReading, with the same
// per-meter plausibility checks and sequence numbers as the telegram decoder.
import type { MeterReading } from '../types';
import type { LineClock, RejectEvent, RejectReason } from './events';
import { REJECT_REASONS } from './events';
import { float32be, float32ToDecimal, parseRegistersResponse, readRegistersRequest } from './modbus';
import { decimalPlaces, decimalToInt, decimalToNumber, unitShift, type Quantity } from './obis';
import { Plausibility } from './plausibility';

/** One float32 register (two 16-bit words) and the unit the meter uses for it. */
export interface ModbusRegister {
  /** 0-based register address (30001-based register 30073 → 72). */
  address: number;
  type: 'float32';
  unit: string;
}

/** A Modbus meter profile. */
export interface ModbusProfile {
  name: string;
  description?: string;
  protocol: 'modbus-rtu';
  /** Slave id 1..247 (the meter's configured address). */
  slave: number;
  /** 4 = read input registers (SDM meters), 3 = holding registers. */
  function: 3 | 4;
  /** Register blocks read per poll, each at most 125 registers. */
  blocks: { address: number; count: number }[];
  registers: {
    energyImportWh?: ModbusRegister;
    energyExportWh?: ModbusRegister;
    powerW?: ModbusRegister;
    voltageV?: ModbusRegister[];
    currentA?: ModbusRegister[];
    frequencyHz?: ModbusRegister;
  };
  ratedPowerW?: number;
  serial?: { baud: number; dataBits: 7 | 8; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 };
  /** Poll every this many ms (default 1000: load limiting wants fresh currents). */
  pollIntervalMs?: number;
  /** A request unanswered for this long is a failed poll, ms (default 500). */
  responseTimeoutMs?: number;
}

/** A Modbus poll result: a reading, or a counted rejection. */
export type ModbusEvent = { ok: true; reading: MeterReading } | RejectEvent;

const QUANTITY = { energyImportWh: 'energy', energyExportWh: 'energy', powerW: 'power', frequencyHz: 'frequency', voltageV: 'voltage', currentA: 'current' } as const;

function fail(path: string, msg: string): never {
  throw new Error(`invalid Modbus meter profile: ${path} ${msg}`);
}

function checkRegister(r: unknown, q: Quantity, path: string): void {
  const o = r as Partial<ModbusRegister> | null;
  if (typeof o !== 'object' || o === null || !Number.isInteger(o.address) || (o.address as number) < 0) fail(path, 'needs a register address >= 0');
  if (o.type !== 'float32') fail(`${path}.type`, 'must be "float32"');
  if (typeof o.unit !== 'string' || unitShift(o.unit, q) === undefined) fail(`${path}.unit`, `must be a ${q} unit`);
}

/** Check a parsed JSON object and return it as a ModbusProfile; throws an Error naming the bad path. */
export function validateModbusProfile(obj: unknown): ModbusProfile {
  const p = obj as Partial<ModbusProfile> | null;
  if (typeof p !== 'object' || p === null) fail('(root)', 'must be a JSON object');
  if (typeof p.name !== 'string' || !p.name) fail('name', 'must be a non-empty string');
  if (p.protocol !== 'modbus-rtu') fail('protocol', 'must be "modbus-rtu"');
  if (!Number.isInteger(p.slave) || (p.slave as number) < 1 || (p.slave as number) > 247) fail('slave', 'must be 1..247');
  if (p.function !== 3 && p.function !== 4) fail('function', 'must be 3 or 4');
  if (!Array.isArray(p.blocks) || !p.blocks.length) fail('blocks', 'must be a non-empty array');
  p.blocks.forEach((b, i) => {
    if (!Number.isInteger(b?.address) || !Number.isInteger(b?.count) || b.count < 1 || b.count > 125) fail(`blocks[${i}]`, 'needs address and count 1..125');
  });
  if (p.pollIntervalMs !== undefined && !(Number.isInteger(p.pollIntervalMs) && p.pollIntervalMs >= 100)) fail('pollIntervalMs', 'must be an integer >= 100');
  if (p.responseTimeoutMs !== undefined && !(Number.isInteger(p.responseTimeoutMs) && p.responseTimeoutMs >= 10)) fail('responseTimeoutMs', 'must be an integer >= 10');
  if (typeof p.registers !== 'object' || p.registers === null) fail('registers', 'must be an object');
  for (const [k, v] of Object.entries(p.registers)) {
    const q = QUANTITY[k as keyof typeof QUANTITY];
    if (!q) fail(`registers.${k}`, 'is not a reading field');
    if (Array.isArray(v)) v.forEach((r, i) => checkRegister(r, q, `registers.${k}[${i}]`));
    else checkRegister(v, q, `registers.${k}`);
    for (const r of Array.isArray(v) ? v : [v]) {
      if (!p.blocks.some((b) => r.address >= b.address && r.address + 2 <= b.address + b.count)) fail(`registers.${k}`, `address ${r.address} is not inside a block`);
    }
  }
  return p as ModbusProfile;
}

/** Polls one Modbus meter: the requests to send, and the decoding of the answers. */
export class ModbusMeter {
  private readonly plaus: Plausibility;
  private readonly counts = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;

  constructor(readonly profile: ModbusProfile, private readonly opts: { meterId?: string; ratedPowerW?: number } = {}) {
    this.plaus = new Plausibility({ ratedPowerW: opts.ratedPowerW ?? profile.ratedPowerW });
  }

  /** The id readings of this meter carry: the configured one, else "<profile>-<slave>". */
  get meterId(): string {
    return this.opts.meterId ?? `${this.profile.name}-${this.profile.slave}`;
  }

  /** The request frames of one poll, in block order. */
  requests(): Uint8Array[] {
    return this.profile.blocks.map((b) => readRegistersRequest(this.profile.slave, b.address, b.count, this.profile.function));
  }

  /** Byte length of the expected response to block `i` (5 + 2 per register). */
  responseLength(i: number): number {
    return 5 + this.profile.blocks[i].count * 2;
  }

  /** Decode the responses of one poll (one frame per block, in order) into a reading or a rejection. */
  decode(frames: Uint8Array[], clock: LineClock): ModbusEvent {
    const meterId = this.meterId;
    const reject = (reason: RejectReason, detail: string): RejectEvent => {
      this.counts[reason] += 1;
      return { ok: false, reason, detail, meterId };
    };
    const data: Uint8Array[] = [];
    for (let i = 0; i < this.profile.blocks.length; i++) {
      const b = this.profile.blocks[i];
      if (!frames[i]) return reject('truncated', `no response for block at ${b.address}`);
      const r = parseRegistersResponse(frames[i], { slave: this.profile.slave, fn: this.profile.function, count: b.count });
      if (!r.ok) return reject(r.reason === 'exception' ? 'missing_register' : r.reason, r.detail);
      data.push(r.data);
    }
    const text = (reg: ModbusRegister): string => {
      const i = this.profile.blocks.findIndex((b) => reg.address >= b.address && reg.address + 2 <= b.address + b.count);
      return float32ToDecimal(float32be(data[i], (reg.address - this.profile.blocks[i].address) * 2));
    };
    const reading: MeterReading = { meterId, seq: 0, timeMs: clock.timeMs, monoMs: clock.monoMs, raw: {} };
    const res = { import: 1, export: 1 };
    for (const [k, v] of Object.entries(this.profile.registers) as [keyof typeof QUANTITY, ModbusRegister | ModbusRegister[]][]) {
      const q = QUANTITY[k];
      const values: number[] = [];
      for (const reg of Array.isArray(v) ? v : [v]) {
        const t = text(reg);
        const shift = unitShift(reg.unit, q)!;
        const n = q === 'energy' ? decimalToInt(t, shift, 'trunc') : q === 'power' ? decimalToInt(t, shift, 'round') : decimalToNumber(t, shift);
        if (n === null) return reject('bad_value', `register ${reg.address}: not a finite number within range: ${t}`);
        if (q === 'energy') res[k === 'energyImportWh' ? 'import' : 'export'] = Math.max(1, 10 ** (shift - decimalPlaces(t)));
        reading.raw![String(reg.address)] = `${t}*${reg.unit}`;
        values.push(n);
      }
      if (k === 'voltageV' || k === 'currentA') reading[k] = values;
      else reading[k] = values[0];
    }
    const cand = { importWh: reading.energyImportWh, exportWh: reading.energyExportWh, resolutionWh: res, elapsedMs: clock.monoMs };
    const bad = this.plaus.check(meterId, cand);
    if (bad) return reject(bad.reason, bad.detail);
    reading.seq = this.plaus.commit(meterId, cand);
    return { ok: true, reading };
  }

  /** Rejections so far by reason. */
  counters(): Record<RejectReason, number> {
    return { ...this.counts };
  }
}

// Contract: a meter reading (`msg.kind: 'reading'`), as chargeledger-meter emits it.
import type { MeterReading } from '../types';
import { int, isoTime, num, obj, opt, phases, refuse, str, type Obj } from './fields';
import { parser } from './result';

export type { MeterReading } from '../types';

/** Parse `msg.payload` of a reading: energy registers as exact non-negative integer Wh. */
export const parseReading = parser<MeterReading>('reading', (input) => {
  const o = obj(input, 'payload');
  const r: MeterReading = { meterId: str(o.meterId, 'meterId', 128), seq: int(o.seq, 'seq'), timeMs: num(o.timeMs, 'timeMs', 0), monoMs: num(o.monoMs, 'monoMs') };
  const meterTime = opt(o, 'meterTime', isoTimeOrText);
  if (meterTime !== undefined) r.meterTime = meterTime;
  const imp = opt(o, 'energyImportWh', int);
  if (imp !== undefined) r.energyImportWh = imp;
  const exp = opt(o, 'energyExportWh', int);
  if (exp !== undefined) r.energyExportWh = exp;
  const p = opt(o, 'powerW', (v, f) => num(v, f));
  if (p !== undefined) r.powerW = p;
  const v = opt(o, 'voltageV', phases);
  if (v !== undefined) r.voltageV = v;
  const c = opt(o, 'currentA', phases);
  if (c !== undefined) r.currentA = c;
  const hz = opt(o, 'frequencyHz', (x, f) => num(x, f, 0, 1000));
  if (hz !== undefined) r.frequencyHz = hz;
  if (o.raw !== undefined) r.raw = rawRegisters(o.raw);
  if (o.mbus !== undefined) {
    if (!Array.isArray(o.mbus) || o.mbus.length > 8) refuse('mbus', 'must be an array of at most 8 channels');
    r.mbus = o.mbus as MeterReading['mbus'];
  }
  return r;
});

/** A meter's own time stamp: ISO 8601 when the profile decodes it, else the text as sent. */
function isoTimeOrText(v: unknown, field: string): string {
  if (typeof v === 'string' && v.length <= 40) return v;
  return isoTime(v, field);
}

function rawRegisters(v: unknown): Record<string, string> {
  const o: Obj = obj(v, 'raw');
  const keys = Object.keys(o);
  if (keys.length > 256) refuse('raw', 'must have at most 256 registers');
  for (const k of keys) if (typeof o[k] !== 'string') refuse(`raw.${k}`, 'must be the register text as sent');
  return o as Record<string, string>;
}

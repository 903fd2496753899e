import { hexAscii } from '../../src/core/meter/dsmr';
import type { MeterSnapshot } from './site';

/** Fixed-point text of an integer scaled by 10^decimals, zero-padded to `intDigits` before the point. */
function fixed(scaled: number, decimals: number, intDigits: number): string {
  const neg = scaled < 0;
  const abs = Math.abs(Math.round(scaled));
  const unit = 10 ** decimals;
  const text = `${String(Math.floor(abs / unit)).padStart(intDigits, '0')}.${String(abs % unit).padStart(decimals, '0')}`;
  return neg ? `-${text}` : text;
}

/** DSMR timestamp YYMMDDhhmmssX in UTC; the simulator always says W (no DST). */
function dsmrTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}W`;
}

/** The identification line every simulated meter sends. */
export const SIM_IDENT = '/CLS5\\2ChargeLedgerSim';

/** The OBIS fields of one simulated meter's telegram, in the order the simulator profile expects. */
export function telegramFields(m: MeterSnapshot, nowMs: number): Array<[string, string]> {
  const importW = Math.max(0, m.powerW);
  return [
    ['1-3:0.2.8', '50'],
    ['0-0:1.0.0', dsmrTime(nowMs)],
    ['0-0:96.1.1', hexAscii(m.meterId)],
    ['1-0:1.8.0', `${fixed(m.energyImportWh, 3, 6)}*kWh`],
    ['1-0:2.8.0', `${fixed(0, 3, 6)}*kWh`],
    ['1-0:1.7.0', `${fixed(importW, 3, 2)}*kW`],
    ['1-0:2.7.0', `${fixed(0, 3, 2)}*kW`],
    ['1-0:32.7.0', `${fixed(m.voltageV[0] * 10, 1, 3)}*V`],
    ['1-0:52.7.0', `${fixed(m.voltageV[1] * 10, 1, 3)}*V`],
    ['1-0:72.7.0', `${fixed(m.voltageV[2] * 10, 1, 3)}*V`],
    ['1-0:31.7.0', `${fixed(m.currentA[0] * 100, 2, 3)}*A`],
    ['1-0:51.7.0', `${fixed(m.currentA[1] * 100, 2, 3)}*A`],
    ['1-0:71.7.0', `${fixed(m.currentA[2] * 100, 2, 3)}*A`],
    ['1-0:14.7.0', `${fixed(m.frequencyHz * 100, 2, 2)}*Hz`],
  ];
}

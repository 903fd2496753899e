// DSMR 5 telegrams in the simulator's layout, with a valid CRC-16/ARC, for feeding real ptys.
import { encodeDsmrTelegram, hexAscii } from '../../src/core/meter/dsmr';

/** What goes into one test telegram. */
export interface TelegramFields {
  meterId: string;
  /** Total import, integer Wh. */
  importWh: number;
  exportWh?: number;
  powerW?: number;
  /** YYMMDDhhmmss + W/S. */
  time?: string;
}

function kwh(wh: number): string {
  const s = String(wh).padStart(4, '0');
  return `${s.slice(0, -3).padStart(6, '0')}.${s.slice(-3)}`;
}

/** A complete telegram, CRLF line ends, CRC over "/" .. "!" inclusive. */
export function dsmrTelegram(f: TelegramFields): string {
  const p = f.powerW ?? 0;
  return encodeDsmrTelegram(
    [
      ['1-3:0.2.8', '50'],
      ['0-0:1.0.0', f.time ?? '251125040000W'],
      ['0-0:96.1.1', hexAscii(f.meterId)],
      ['1-0:1.8.0', `${kwh(f.importWh)}*kWh`],
      ['1-0:2.8.0', `${kwh(f.exportWh ?? 0)}*kWh`],
      ['1-0:1.7.0', `${(p / 1000).toFixed(3).padStart(6, '0')}*kW`],
      ['1-0:2.7.0', '00.000*kW'],
      ['1-0:32.7.0', '230.1*V'],
      ['1-0:52.7.0', '230.2*V'],
      ['1-0:72.7.0', '230.3*V'],
      ['1-0:31.7.0', '016.00*A'],
      ['1-0:51.7.0', '016.00*A'],
      ['1-0:71.7.0', '016.00*A'],
      ['1-0:14.7.0', '50.00*Hz'],
    ],
    'CLS5\\2ChargeLedgerSim',
  );
}

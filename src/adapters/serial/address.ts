// A meter port address: a serial device path, or tcp://host:port for a serial-over-TCP gateway.

/** Where the meter's bytes come from. */
export type PortAddress = { kind: 'serial'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Serial line settings (ignored by TCP gateways, which set them on their side). */
export interface SerialSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
}

/** 115200 8N1, the usual DSMR 4/5 P1 port setting. */
export const DEFAULT_SERIAL: SerialSettings = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 };

/** Parse a port address; throws a clear Error for anything else. */
export function parseAddress(text: string): PortAddress {
  const s = text.trim();
  if (s === '') throw new Error('no port given: expected a device path such as /dev/ttyUSB0 or tcp://host:port');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const m = /^tcp:\/\/(\[[0-9a-f:.]+\]|[^:/[\]]+):(\d{1,5})\/?$/i.exec(s);
    if (!m) throw new Error(`bad port address "${s}": expected tcp://host:port`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`bad port address "${s}": TCP port must be 1..65535`);
    return { kind: 'tcp', host: m[1].replace(/^\[|\]$/g, ''), port };
  }
  return { kind: 'serial', path: s };
}

/** The address as the user would write it. */
export function formatAddress(a: PortAddress): string {
  return a.kind === 'serial' ? a.path : `tcp://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** Check serial settings; returns a list of problems (empty when valid). */
export function serialSettingsProblems(s: Partial<SerialSettings>): string[] {
  const out: string[] = [];
  if (s.baudRate !== undefined && !(Number.isInteger(s.baudRate) && s.baudRate >= 50 && s.baudRate <= 4_000_000)) out.push(`baud rate ${s.baudRate} is not a whole number from 50 to 4000000`);
  if (s.dataBits !== undefined && ![5, 6, 7, 8].includes(s.dataBits)) out.push(`data bits must be 5, 6, 7 or 8, got ${s.dataBits}`);
  if (s.parity !== undefined && !['none', 'even', 'odd', 'mark', 'space'].includes(s.parity)) out.push(`parity must be none, even, odd, mark or space, got ${s.parity}`);
  if (s.stopBits !== undefined && ![1, 1.5, 2].includes(s.stopBits)) out.push(`stop bits must be 1, 1.5 or 2, got ${s.stopBits}`);
  return out;
}

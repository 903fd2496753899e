// Port listing for the "search ports" button and `chargeledger doctor`. SerialPort.list()
// needs udevadm, which containers and minimal images lack ("spawn udevadm ENOENT"), so fall
// back to scanning /dev for the usual serial device names.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SerialPort } from 'serialport';

/** One serial port candidate. */
export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** Stable /dev/serial/by-id alias of the device, when there is one. */
  byId?: string;
  /** Where the entry came from: udev (SerialPort.list) or a /dev scan. */
  source: 'udev' | 'scan';
}

/** Device names that are serial ports on Linux controllers (USB adapters, CDC, Pi UART, 16550, ptys). */
const DEV_PATTERN = /^(ttyUSB\d+|ttyACM\d+|ttyAMA\d+|ttyS\d+|serial\d+)$/;

async function dirEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Scan a /dev tree for serial device names; `devDir` is injectable for tests. */
export async function scanDev(devDir = '/dev'): Promise<PortInfo[]> {
  const out: PortInfo[] = (await dirEntries(devDir)).filter((n) => DEV_PATTERN.test(n)).map((n) => ({ path: path.join(devDir, n), source: 'scan' as const }));
  const pts = (await dirEntries(path.join(devDir, 'pts'))).filter((n) => /^\d+$/.test(n));
  out.push(...pts.map((n) => ({ path: path.join(devDir, 'pts', n), source: 'scan' as const })));
  return out.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** Map /dev/serial/by-id aliases to the device they point at. */
async function byIdAliases(devDir: string): Promise<Map<string, string>> {
  const dir = path.join(devDir, 'serial', 'by-id');
  const { realpath } = await import('node:fs/promises');
  const map = new Map<string, string>();
  for (const n of await dirEntries(dir)) {
    try {
      map.set(await realpath(path.join(dir, n)), path.join(dir, n));
    } catch {
      // A dangling alias: the device went away between readdir and realpath.
    }
  }
  return map;
}

/** Every serial port that can be found, udev details where available. */
export async function listPorts(devDir = '/dev', list: () => Promise<Array<Record<string, unknown>>> = () => SerialPort.list() as never): Promise<PortInfo[]> {
  let ports: PortInfo[];
  try {
    const found = await list();
    ports = found.map((p) => ({
      path: String(p.path),
      manufacturer: p.manufacturer as string | undefined,
      serialNumber: p.serialNumber as string | undefined,
      vendorId: p.vendorId as string | undefined,
      productId: p.productId as string | undefined,
      source: 'udev' as const,
    }));
  } catch {
    ports = [];
  }
  // udev does not list ptys (socat, virtual meters), and may be missing altogether.
  const known = new Set(ports.map((p) => p.path));
  for (const p of await scanDev(devDir)) if (!known.has(p.path)) ports.push(p);
  const aliases = await byIdAliases(devDir);
  for (const p of ports) {
    const alias = aliases.get(p.path);
    if (alias) p.byId = alias;
  }
  return ports;
}

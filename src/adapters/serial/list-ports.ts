// Port listing for the "search ports" button and `chargeledger doctor`. SerialPort.list()
// needs udevadm, which containers and minimal images lack ("spawn udevadm ENOENT"), so fall
// back to scanning /dev for the usual serial device names.
import { readdir, readFile } from 'node:fs/promises';
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

/**
 * Device names that are serial ports on Linux controllers (USB adapters, CDC, Pi UART, 16550).
 * Not /dev/pts/*: those are terminals (ssh sessions, shells); a socat virtual meter is named by
 * its `link=` (e.g. /dev/ttyV0) and can be typed in.
 */
const DEV_PATTERN = /^(ttyUSB\d+|ttyACM\d+|ttyAMA\d+|ttyS\d+|serial\d+)$/;

async function dirEntries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/**
 * Whether a ttyS device has a UART behind it. Why: a PC kernel creates ttyS0..ttyS31 whether or
 * not the ports exist; sysfs reports type 0 (no UART) for the phantom ones. Unknown = kept.
 */
async function hasUart(sysDir: string | undefined, name: string): Promise<boolean> {
  if (!sysDir || !name.startsWith('ttyS')) return true;
  try {
    return (await readFile(path.join(sysDir, 'class', 'tty', name, 'type'), 'utf8')).trim() !== '0';
  } catch {
    return true;
  }
}

/** Scan a /dev tree for serial device names; `devDir` and `sysDir` (the real /sys only for the real /dev) are injectable for tests. */
export async function scanDev(devDir = '/dev', sysDir: string | undefined = devDir === '/dev' ? '/sys' : undefined): Promise<PortInfo[]> {
  const names = (await dirEntries(devDir)).filter((n) => DEV_PATTERN.test(n));
  const real = await Promise.all(names.map((n) => hasUart(sysDir, n)));
  const out: PortInfo[] = names.filter((_, i) => real[i]).map((n) => ({ path: path.join(devDir, n), source: 'scan' as const }));
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

/** How long the editor's port search waits for udev details before it answers with the /dev scan, ms. */
export const UDEV_LIST_BUDGET_MS = 1500;

/** Options of listPorts: injectable for tests. */
export interface ListPortsOptions {
  /** sysfs root, to skip phantom ttyS ports. */
  sysDir?: string;
  /** Answer without udev details when udev takes longer than this, ms. */
  budgetMs?: number;
}

/**
 * Every serial port that can be found, udev details where available. udev (SerialPort.list,
 * which spawns udevadm) gets a time budget: the search button must answer at once, and a
 * /dev scan finds the same devices without the vendor details.
 */
export async function listPorts(devDir = '/dev', list: () => Promise<Array<Record<string, unknown>>> = () => SerialPort.list() as never, opts: ListPortsOptions = {}): Promise<PortInfo[]> {
  let ports: PortInfo[];
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('udev too slow')), opts.budgetMs ?? UDEV_LIST_BUDGET_MS);
  });
  try {
    const found = await Promise.race([list(), budget]);
    ports = found
      .filter((p) => !String(p.path).startsWith('/dev/pts/'))
      .map((p) => ({
        path: String(p.path),
        manufacturer: p.manufacturer as string | undefined,
        serialNumber: p.serialNumber as string | undefined,
        vendorId: p.vendorId as string | undefined,
        productId: p.productId as string | undefined,
        source: 'udev' as const,
      }));
  } catch {
    ports = [];
  } finally {
    clearTimeout(timer);
  }
  // udev may be missing altogether (containers), or miss devices.
  const known = new Set(ports.map((p) => p.path));
  for (const p of await scanDev(devDir, opts.sysDir)) if (!known.has(p.path)) ports.push(p);
  const aliases = await byIdAliases(devDir);
  for (const p of ports) {
    const alias = aliases.get(p.path);
    if (alias) p.byId = alias;
  }
  return ports;
}

// The editor's "search ports" list: serial devices only, and an answer at once even when udev is slow.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPorts, scanDev } from '../../../src/adapters/serial/list-ports';

/** A fake /dev with serial devices, terminals and phantom ttyS ports, plus its /sys. */
function fakeDev(): { dev: string; sys: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'cl-ports-'));
  const dev = path.join(root, 'dev');
  const sys = path.join(root, 'sys');
  mkdirSync(path.join(dev, 'pts'), { recursive: true });
  for (const n of ['ttyUSB0', 'ttyACM0', 'ttyS0', 'ttyS1', 'ttyS2', 'tty1', 'ptmx']) writeFileSync(path.join(dev, n), '');
  for (const n of ['0', '1', '7']) writeFileSync(path.join(dev, 'pts', n), '');
  // ttyS0 has a 16550A (type 4); ttyS1 and ttyS2 are the kernel's placeholders (type 0).
  for (const [n, type] of [['ttyS0', '4'], ['ttyS1', '0'], ['ttyS2', '0']]) {
    mkdirSync(path.join(sys, 'class', 'tty', n), { recursive: true });
    writeFileSync(path.join(sys, 'class', 'tty', n, 'type'), `${type}\n`);
  }
  return { dev, sys };
}

describe('the port search', () => {
  it('lists serial devices, not terminals (/dev/pts) nor phantom ttyS ports', async () => {
    const { dev, sys } = fakeDev();
    const ports = await listPorts(dev, () => Promise.reject(new Error('spawn udevadm ENOENT')), { sysDir: sys });
    expect(ports.map((p) => path.relative(dev, p.path))).toEqual(['ttyACM0', 'ttyS0', 'ttyUSB0']);
  });

  it('answers from the /dev scan when udev does not answer within its budget', async () => {
    const { dev, sys } = fakeDev();
    const never = () => new Promise<Array<Record<string, unknown>>>(() => undefined);
    const ports = await listPorts(dev, never, { sysDir: sys, budgetMs: 50 });
    expect(ports.map((p) => p.source)).toEqual(['scan', 'scan', 'scan']);
  });

  it('keeps a ttyS port whose UART type cannot be read', async () => {
    const { dev } = fakeDev();
    expect((await scanDev(dev, path.join(dev, 'no-sys'))).map((p) => path.basename(p.path))).toEqual(['ttyACM0', 'ttyS0', 'ttyS1', 'ttyS2', 'ttyUSB0']);
  });

  it('on this machine, lists no terminal', async () => {
    const ports = await listPorts();
    expect(ports.filter((p) => p.path.startsWith('/dev/pts/'))).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerWriteError } from '../../../src/adapters/store/ledger-store';
import { openStation } from '../../../src/adapters/store/station';
import { checkStationChain } from '../../../src/adapters/store/verify-chain';
import { makeSession } from '../../core/ledger/session-fixture';

// A real full disk: a small tmpfs. Mounting needs root (CAP_SYS_ADMIN); where that is not
// available this suite does not run, and the record node's disk-full test (fault injection) still does.
const base = mkdtempSync(path.join(tmpdir(), 'diskfull-'));
const mountPoint = path.join(base, 'mnt');
mkdirSync(mountPoint);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'ignore' }).status === 0;

function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

describe.runIf(mounted)('ledger on a full disk (tmpfs)', () => {
  afterAll(() => {
    spawnSync('umount', [mountPoint], { stdio: 'ignore' });
    rmSync(base, { recursive: true, force: true });
  });
  beforeAll(() => undefined);

  it('fails the append loudly, keeps existing records intact, and catches up when space returns', async () => {
    const station = openStation({ dataDir: mountPoint, stationId: 'ST1', identity: { gatewayId: 'CL', gatewaySerial: 'ST1', timeStatus: 'I' } });
    for (let n = 1; n <= 3; n++) await station.store.append(makeSession(n));
    const filler = path.join(mountPoint, 'filler');
    fill(filler);
    const failed: unknown[] = [];
    for (let n = 4; n <= 6; n++) await station.store.append(makeSession(n)).catch((e: unknown) => failed.push(e));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]).toBeInstanceOf(LedgerWriteError);
    expect((failed[0] as LedgerWriteError).diskFull).toBe(true);
    expect((await station.store.getBySessionId('sess-2'))?.seq).toBe(2);
    unlinkSync(filler);
    // Space is back: the held sessions go in, in order, without duplicates.
    for (let n = 4; n <= 6; n++) await station.store.append(makeSession(n));
    const head = await station.store.getHead();
    expect(head.seq).toBe(6);
    await station.store.close();
    expect(await checkStationChain(path.join(mountPoint, 'ST1'))).toEqual({ checked: 6, problems: [] });
  });
});

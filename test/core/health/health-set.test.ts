import { describe, expect, it } from 'vitest';
import { isPortHealth, MeterHealthSet } from '../../../src/core/health/health-set';
import type { Clock } from '../../../src/core/health/meter-health';

function clock(): Clock & { advance(ms: number): void } {
  let mono = 0;
  return { nowMs: () => 1_700_000_000_000 + mono, monoMs: () => mono, advance: (ms) => void (mono += ms) };
}

const states = (hs: Array<{ meterId: string; state: string }>) => hs.map((h) => `${h.meterId}:${h.state}`);

describe('MeterHealthSet', () => {
  it('tracks each meter of a bus on its own: one falling silent goes stale, the others stay ok', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: 'tcp://gw:2001' }, c);
    set.sourceOpened();
    expect(states(set.reading('SITE'))).toEqual(['SITE:ok']);
    expect(states(set.reading('CP1-1'))).toEqual(['CP1-1:ok']);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      c.advance(1000);
      set.reading('SITE');
      seen.push(...states(set.check()).map((x) => `${i + 1}s ${x}`));
    }
    expect(seen).toEqual(['3s CP1-1:stale']);
    expect(set.summary()).toMatchObject({ state: 'stale', meterId: 'CP1-1', meters: 2 });
    expect(set.nextCheckInMs()).toBe(3000);
    c.advance(3000);
    expect(states(set.check())).toEqual(['SITE:stale']);
  });

  it('a disconnection reaches every meter, each reporting its own change', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: '/dev/ttyUSB0' }, c);
    set.sourceOpened();
    set.reading('A');
    set.reading('B');
    const changes = set.sourceClosed('disconnected');
    expect(states(changes)).toEqual(['A:disconnected', 'B:disconnected']);
    expect(changes[0].errors).toEqual({ disconnected: 1 });
    expect(set.check()).toEqual([]);
  });

  it('before any meter identifies itself, the port is tracked under its label', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: '/dev/ttyUSB0' }, c);
    expect(set.sourceClosed('open_failed')).toEqual([]);
    set.sourceOpened();
    // Wrong baud rate: only garbage, no meter id.
    const [corrupt] = set.rejected('garbage');
    expect(corrupt).toMatchObject({ meterId: '/dev/ttyUSB0', port: '/dev/ttyUSB0', state: 'corrupt', errors: { open_failed: 1, garbage: 1 } });
    expect(isPortHealth(corrupt)).toBe(true);
    expect(set.summary()).toMatchObject({ state: 'corrupt', meterId: '/dev/ttyUSB0', lastError: 'garbage' });
    // Fixed: the port's last word is "ok", then the first real meter inherits its counts.
    const [portOk, ok] = set.reading('SITE');
    expect(portOk).toMatchObject({ port: '/dev/ttyUSB0', state: 'ok' });
    expect(ok).toMatchObject({ meterId: 'SITE', state: 'ok', errors: { open_failed: 1, garbage: 1 } });
    expect(isPortHealth(ok)).toBe(false);
    expect(set.summary()).toMatchObject({ state: 'ok', meterId: 'SITE', meters: 1 });
  });

  it('a connected port that never delivers goes stale under its label', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: 'p' }, c);
    set.sourceOpened();
    c.advance(3000);
    expect(states(set.check())).toEqual(['p:stale']);
  });

  it('an unattributed rejection blames the only meter, but no meter on a bus', () => {
    const c = clock();
    const one = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: 'p' }, c);
    one.sourceOpened();
    one.reading('A');
    expect(states(one.rejected('bad_checksum'))).toEqual(['A:corrupt']);
    const bus = new MeterHealthSet({ staleAfterMs: 3000, filter: null, portLabel: 'p' }, c);
    bus.sourceOpened();
    bus.reading('A');
    bus.reading('B');
    expect(bus.rejected('bad_checksum')).toEqual([]);
    expect(bus.summary()).toMatchObject({ state: 'ok' });
    expect(states(bus.rejected('register_backwards', 'B'))).toEqual(['B:corrupt']);
  });

  it('with a filter only that meter counts, from the start', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: 'CP1-2', portLabel: 'p' }, c);
    expect(set.accepts('CP1-1')).toBe(false);
    expect(set.reading('CP1-1')).toEqual([]);
    expect(set.rejected('bad_checksum', 'CP1-1')).toEqual([]);
    set.sourceOpened();
    set.reading('CP1-1');
    expect(set.rejected('bad_checksum')).toEqual([]); // a bus: counted, not blamed
    expect(states(set.reading('CP1-2'))).toEqual(['CP1-2:ok']);
    expect(set.summary()).toMatchObject({ meterId: 'CP1-2', meters: 1 });
  });

  it('with a filter and no other meter seen on the port, unattributed corrupt input is that meter\'s', () => {
    const c = clock();
    const set = new MeterHealthSet({ staleAfterMs: 3000, filter: 'CP1-1', portLabel: 'p' }, c);
    set.sourceOpened();
    // Wrong-CRC telegrams from the start: no meter id can be trusted, but only CP1-1 can be here.
    expect(set.rejected('bad_checksum')).toMatchObject([{ meterId: 'CP1-1', state: 'corrupt', errors: { bad_checksum: 1 } }]);
    expect(set.summary()).toMatchObject({ state: 'corrupt', meterId: 'CP1-1', lastError: 'bad_checksum' });
    expect(states(set.reading('CP1-1'))).toEqual(['CP1-1:ok']);
    c.advance(1000);
    expect(set.rejected('garbage')).toMatchObject([{ meterId: 'CP1-1', state: 'corrupt', errors: { bad_checksum: 1, garbage: 1 } }]);
    // Corrupt input that keeps coming keeps it corrupt, not stale.
    for (let i = 0; i < 10; i++) {
      c.advance(1000);
      set.rejected('garbage');
      expect(set.check()).toEqual([]);
    }
    expect(set.summary().state).toBe('corrupt');
  });
});

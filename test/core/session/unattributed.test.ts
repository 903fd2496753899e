import { describe, expect, it } from 'vitest';
import type { Session, SessionReading } from '../../../src/core/types';
import { buildUnattributed, trimUnattributed } from '../../../src/core/session/unattributed';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const ref = (energyWh: number, min: number) => ({ meterId: 'CP1-1', seq: min + 1, timeMs: T0 + min * 60_000, monoMs: 0, energyWh });
const reading = (energyWh: number, min: number): SessionReading => ({ energyWh, time: new Date(T0 + min * 60_000).toISOString(), meterId: 'CP1-1', meterSeq: min + 1 });
const owner = { stationId: 'ST1', chargerId: 'CP1' };

function session(id: string, fromWh: number, toWh: number, fromMin: number, toMin: number): Session {
  return { ...buildUnattributed(owner, '1', 11000, ref(fromWh, fromMin), ref(toWh, toMin), toWh - fromWh, 'x', id), id, type: undefined, unattributed: undefined, idTag: 'TAG', stopReason: 'ev', flags: [], startReading: reading(fromWh, fromMin), endReading: reading(toWh, toMin) };
}

describe('unattributed records', () => {
  it('carry the register span, no idTag, stop reason unknown and the reason', () => {
    const u = buildUnattributed(owner, '1', 11000, ref(1000, 0), ref(1250, 10), 250, 'controller_restart', 'ab12');
    expect(u).toMatchObject({ type: 'unattributed', stopReason: 'unknown', energyWh: 250, unattributed: { reason: 'controller_restart' }, durationS: 600 });
    expect(u.idTag).toBeUndefined();
    expect(u.periods.reduce((a, p) => a + p.energyWh, 0)).toBe(250);
  });

  it('lose the spans of sessions that cover part of them (read back from a spill), keeping only what no record claims', () => {
    const u = buildUnattributed(owner, '1', 11000, ref(1000, 0), ref(5000, 60), 4000, 'controller_restart', 'ab12');
    const known = [session('s1', 900, 1500, 0, 5), session('s2', 1500, 2500, 6, 15), session('s3', 3000, 4000, 20, 40), session('other', 0, 9000, 0, 60)];
    known[3].connectorId = '2';
    const pieces = trimUnattributed(u, known);
    expect(pieces.map((p) => [p.startReading.energyWh, p.endReading.energyWh, p.energyWh])).toEqual([
      [2500, 3000, 500],
      [4000, 5000, 1000],
    ]);
    expect(pieces[0].id).toBe(u.id);
    expect(pieces[1].id).toBe(`${u.id}-2`);
    expect(pieces.every((p) => p.type === 'unattributed' && p.flags.includes('trimmed'))).toBe(true);
    expect(trimUnattributed(u, [])).toEqual([u]);
    expect(trimUnattributed(u, [session('all', 500, 6000, 0, 60)])).toEqual([]);
  });
});

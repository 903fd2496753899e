// Rollups: buckets, counting rules, utilisation, trends and the underperforming flags.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketOf, bucketRange, previousBucket, RollupState, type RollupInput } from '../../../src/core/rollup';
import type { Session } from '../../../src/core/types';
import { series, session } from '../tariff/session-helpers';

const AMS = 'Europe/Amsterdam';

function rec(s: Session, revenue = 0, cost = 0): RollupInput {
  return { session: s, pricing: { currency: 'EUR', revenue: { total: { exclVatMinor: revenue, inclVatMinor: Math.round(revenue * 1.21) } }, cost: { total: { exclVatMinor: cost } }, marginMinor: revenue - cost } };
}

function at(id: string, connectorId: string, start: string, energies: number[], extra: Partial<Session> = {}): Session {
  return session(series(start, 60, energies), { id, connectorId, ...extra });
}

describe('buckets', () => {
  it('days, ISO weeks and months in local time, DST days 23/25 h', () => {
    const t = Date.parse('2024-12-30T23:30:00Z'); // 2024-12-31 00:30 in Amsterdam, ISO week 2025-W01
    expect([bucketOf(t, 'day', AMS), bucketOf(t, 'week', AMS), bucketOf(t, 'month', AMS)]).toEqual(['2024-12-31', '2025-W01', '2024-12']);
    expect(bucketOf(t, 'day', 'UTC')).toBe('2024-12-30');
    const [a, b] = bucketRange('2024-10-27', 'day', AMS);
    expect((b - a) / 3_600_000).toBe(25);
    const [c, d] = bucketRange('2024-03-31', 'day', AMS);
    expect((d - c) / 3_600_000).toBe(23);
    expect(new Date(bucketRange('2025-W01', 'week', 'UTC')[0]).toISOString()).toBe('2024-12-30T00:00:00.000Z');
    expect([previousBucket('2024-03-01', 'day', AMS), previousBucket('2025-W01', 'week', AMS), previousBucket('2024-01', 'month', AMS)]).toEqual(['2024-02-29', '2024-W52', '2023-12']);
  });
});

describe('RollupState', () => {
  it('counts per connector, charger and site; energy of a session across midnight goes to both days', () => {
    const st = new RollupState('UTC');
    st.add(rec(at('a', '1', '2024-01-15T22:00:00Z', [11_000, 11_000, 11_000]), 1500, 600));
    st.add(rec(at('b', '2', '2024-01-15T08:00:00Z', [7000], { stopReason: 'meter_fault' }), 500, 200));
    const day = st.rows('connector', 'day');
    expect(day.map((r) => [r.bucket, r.entity, r.sessions, r.energyWh, r.revenueExclMinor])).toEqual([
      ['2024-01-15', 'ST1/CP1/1', 1, 22_000, 1500],
      ['2024-01-15', 'ST1/CP1/2', 1, 7000, 500],
      ['2024-01-16', 'ST1/CP1/1', 0, 11_000, 0],
    ]);
    const site = st.rows('site', 'day')[0];
    expect([site.sessions, site.energyWh, site.marginMinor, site.faultedShare]).toEqual([2, 29_000, 1200, 0.5]);
    // 3 h charging of 2 connectors × 24 h on the 15th.
    expect(site.utilisation).toBe(Math.round((3 * 3600 / (2 * 86400)) * 10_000) / 10_000);
    expect(site.avgPowerW).toBe(9667);
    expect(st.rows('charger', 'month')[0]).toMatchObject({ entity: 'ST1/CP1', bucket: '2024-01', sessions: 2, energyWh: 40_000 });
  });

  it('trends period over period', () => {
    const st = new RollupState('UTC');
    st.add(rec(at('a', '1', '2024-01-15T10:00:00Z', [10_000]), 1000));
    st.add(rec(at('b', '1', '2024-01-16T10:00:00Z', [5000]), 1500));
    const [d1, d2] = st.rows('connector', 'day');
    expect(d1.trend).toBeUndefined();
    expect(d2.trend).toMatchObject({ previousBucket: '2024-01-15', energyWhDelta: -5000, energyChange: -0.5, revenueExclMinorDelta: 500, revenueChange: 0.5 });
  });

  it('flags underperforming connectors with the documented rules', () => {
    const st = new RollupState('UTC');
    const day = '2024-01-15T';
    // Connectors 1–3 busy (6 h each); 4 idle-ish (1 h), 5 slow (1 kW on a 22 kW connector), 6 many aborts.
    for (const c of ['1', '2', '3']) st.add(rec(at(`s${c}`, c, `${day}06:00:00Z`, [11_000, 11_000, 11_000, 11_000, 11_000, 11_000], { ratedPowerW: 22_000 }), 2000));
    st.add(rec(at('s4', '4', `${day}06:00:00Z`, [11_000], { ratedPowerW: 22_000 }), 300));
    st.add(rec(at('s5', '5', `${day}06:00:00Z`, [1000, 1000, 1000, 1000, 1000, 1000], { ratedPowerW: 22_000 }), 2000));
    for (let i = 0; i < 3; i++) st.add(rec(at(`s6-${i}`, '6', `${day}0${i}:00:00Z`, [0], { stopReason: 'deauthorized' }), 0));
    st.add(rec(at('s6-x', '6', `${day}12:00:00Z`, [11_000, 11_000, 11_000, 11_000, 11_000, 11_000], { ratedPowerW: 22_000 }), 2000));
    const flags = Object.fromEntries(st.rows('connector', 'day').map((r) => [r.entity.split('/')[2], r.flags]));
    expect(flags).toEqual({
      1: [], 2: [], 3: [],
      4: ['low_utilisation', 'low_revenue'],
      5: ['low_power'],
      6: ['high_fault_rate'],
    });
  });

  it('a crash of the controller (power_loss, recovered:power_loss) does not flag a healthy charge point', () => {
    const st = new RollupState('UTC');
    const day = '2024-01-15T';
    for (const c of ['1', '2']) {
      // Two good sessions each; then the controller loses power and closes one open session on every
      // connector on restart (connector 2's had delivered nothing yet).
      st.add(rec(at(`${c}-a`, c, `${day}06:00:00Z`, [11_000, 11_000]), 1000));
      st.add(rec(at(`${c}-b`, c, `${day}09:00:00Z`, [11_000, 11_000]), 1000));
      st.add(rec(at(`${c}-c`, c, `${day}12:00:00Z`, [c === '1' ? 5000 : 0], { stopReason: 'power_loss', flags: ['recovered:power_loss'] }), 100));
    }
    const rows = st.rows('connector', 'day');
    expect(rows.map((r) => [r.sessions, r.abortedShare, r.faultedShare, r.powerLossSessions, r.flags])).toEqual([
      [3, 0, 0, 1, []],
      [3, 0, 0, 1, []],
    ]);
    // A real meter fault still counts, also when it was reported just before a restart.
    st.add(rec(at('1-d', '1', `${day}15:00:00Z`, [1000], { stopReason: 'meter_fault' }), 100));
    expect(st.rows('connector', 'day')[0]).toMatchObject({ sessions: 4, faultedShare: 0.25, powerLossSessions: 1 });
    const unknown = 'unknown' as Session['stopReason'];
    st.add(rec(at('2-d', '2', `${day}15:00:00Z`, [1000], { stopReason: unknown, flags: ['recovered:restart', 'stop_reported:meter_fault'] }), 100));
    st.add(rec(at('2-e', '2', `${day}16:00:00Z`, [1000], { stopReason: unknown, flags: ['recovered:restart', 'stop_reported:ev'] }), 100));
    expect(st.rows('connector', 'day')[1]).toMatchObject({ sessions: 5, faultedShare: 0.2, abortedShare: 0, powerLossSessions: 1 });
  });

  it('unattributed energy is counted apart: unattributedWh, not sessions, energy, utilisation or shares', () => {
    const st = new RollupState('UTC');
    st.add(rec(at('a', '1', '2024-01-15T10:00:00Z', [11_000]), 1000, 400));
    const orphan = { ...at('u', '1', '2024-01-15T23:00:00Z', [3000, 2000]), type: 'unattributed', stopReason: 'unknown', unattributed: { reason: 'crash' } } as unknown as Session;
    st.add({ session: orphan, pricing: { currency: 'EUR', unattributed: true, revenue: { total: { exclVatMinor: 0, inclVatMinor: 0 } }, cost: { total: { exclVatMinor: 100 } }, marginMinor: -100 } });
    const [d15, d16] = st.rows('connector', 'day');
    expect([d15.sessions, d15.energyWh, d15.unattributedWh, d15.chargingS, d15.abortedShare, d15.costMinor, d15.marginMinor]).toEqual([1, 11_000, 3000, 3600, 0, 500, 500]);
    expect([d16.bucket, d16.sessions, d16.energyWh, d16.unattributedWh, d16.utilisation]).toEqual(['2024-01-16', 0, 0, 2000, 0]);
    expect(st.rows('site', 'month')[0]).toMatchObject({ sessions: 1, energyWh: 11_000, unattributedWh: 5000 });
  });

  it('cells stored before powerLoss/unattributedWh existed still add up', () => {
    const st = new RollupState('UTC');
    st.add(rec(at('a', '1', '2024-01-15T10:00:00Z', [11_000]), 1000));
    for (const [k, v] of st.cells) {
      const old = { ...v } as Partial<typeof v>;
      delete old.powerLoss;
      delete old.unattributedWh;
      st.cells.set(k, old as typeof v);
    }
    st.add(rec(at('b', '1', '2024-01-15T12:00:00Z', [0], { stopReason: 'power_loss' }), 0));
    expect(st.rows('connector', 'day')[0]).toMatchObject({ sessions: 2, powerLossSessions: 1, unattributedWh: 0, abortedShare: 0 });
  });

  it('incremental updates in any order equal a rebuild', () => {
    const inputs = fc.array(fc.record({
      connector: fc.constantFrom('1', '2', '3'),
      hour: fc.integer({ min: 0, max: 24 * 60 }),
      energies: fc.array(fc.integer({ min: 0, max: 22_000 }), { minLength: 1, maxLength: 5 }),
      revenue: fc.integer({ min: 0, max: 5000 }),
    }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(inputs, fc.constantFrom('UTC', AMS), (xs, tz) => {
      const recs = xs.map((x, i) => rec(at(`s${i}`, x.connector, new Date(Date.parse('2024-01-01T00:00:00Z') + x.hour * 3_600_000).toISOString(), x.energies), x.revenue));
      const a = new RollupState(tz);
      recs.forEach((r) => a.add(r));
      const b = new RollupState(tz);
      [...recs].reverse().forEach((r) => b.add(r));
      expect(new Map([...b.cells].sort())).toEqual(new Map([...a.cells].sort()));
      const energy = a.rows('site', 'month').reduce((s, r) => s + r.energyWh, 0);
      expect(energy).toBe(recs.reduce((s, r) => s + r.session.energyWh, 0));
    }), { numRuns: 100 });
  });
});

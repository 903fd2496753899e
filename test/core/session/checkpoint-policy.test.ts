import { describe, expect, it } from 'vitest';
import { checkpointBytes, type Checkpoint } from '../../../src/core/session/checkpoint';
import { shouldCheckpoint } from '../../../src/core/session/checkpoint-policy';
import { Harness } from './harness';

const M1 = 'CP1-1';

describe('checkpoint policy', () => {
  it('saves on every state change, and while charging at most once per interval', () => {
    const base = { dirty: false, charging: true, lastSavedMonoMs: 0, nowMonoMs: 59_999, intervalMs: 60_000 };
    expect(shouldCheckpoint(base)).toBe(false);
    expect(shouldCheckpoint({ ...base, nowMonoMs: 60_000 })).toBe(true);
    expect(shouldCheckpoint({ ...base, dirty: true })).toBe(true);
    expect(shouldCheckpoint({ ...base, charging: false, nowMonoMs: 10 * 60_000 })).toBe(false);
    expect(shouldCheckpoint({ ...base, lastSavedMonoMs: null })).toBe(true);
  });

  it('a charging hour at 11 kW with 1-s readings writes ~60 checkpoints of about 1–2 kB (documented in checkpoint-policy.ts)', () => {
    const h = new Harness({}, 'boot', undefined, 60_000);
    const now = () => ({ wallMs: h.wallMs, monoMs: h.monoMs });
    h.reading(M1, 0, 0);
    h.event({ connectorId: '1', event: 'plug' });
    h.event({ connectorId: '1', event: 'start' });
    const writes: Checkpoint[] = [];
    writes.push(...h.ch.checkpointsDue(now(), h.wallMs).map((w) => w.state));
    expect(writes).toHaveLength(1); // the state change
    const hourStartWrites = writes.length;
    for (let i = 0; i < 3600; i++) {
      h.charge(M1, 11000, 1);
      writes.push(...h.ch.checkpointsDue(now(), h.wallMs).map((w) => JSON.parse(JSON.stringify(w.state)) as Checkpoint));
    }
    const hourWrites = writes.slice(hourStartWrites);
    const bytes = hourWrites.reduce((a, c) => a + checkpointBytes(c), 0);
    expect(hourWrites.length).toBe(60);
    expect(bytes).toBeGreaterThan(60 * 1000);
    expect(bytes).toBeLessThan(150_000);
    console.log(`checkpoint bytes per charging hour: ${bytes} (${hourWrites.length} writes, last ${checkpointBytes(hourWrites.at(-1)!)} B)`);
  });
});

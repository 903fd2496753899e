import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeModule, nodeRed } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';

const loadNode = nodeModule('chargeledger-load');
type Any = Record<string, any>;

const connectors = [
  { id: '1', phases: 3, phase: 1, minCurrentA: 6, maxCurrentA: 32, cableMaxCurrentA: '', priority: 0, meterId: '' },
  { id: '2', phases: 3, phase: 1, minCurrentA: 6, maxCurrentA: 16, cableMaxCurrentA: '', priority: 0, meterId: '' },
  { id: '3', phases: 1, phase: 2, minCurrentA: 6, maxCurrentA: 32, cableMaxCurrentA: 20, priority: 0, meterId: 'M3' },
];

function flow(extra: Any = {}): unknown[] {
  return [
    { id: 'LD', type: 'chargeledger-load', siteMeterId: 'SITE', siteCurrentA: '40', connectors, safeCurrentA: 6, validForS: 10, siteTimeoutS: 5, rampStepA: 100, hysteresisA: 0, reserveA: 0, minOnS: 0, minOffS: 0, ...extra, wires: [['OUT']] },
    { id: 'OUT', type: 'helper' },
  ];
}

/** Resolve with the next batch of `n` messages at the helper (one decision = one message per connector). */
function nextBatch(n = connectors.length): Promise<Any[]> {
  return new Promise((resolve) => {
    const got: Any[] = [];
    nodeRed.getNode('OUT')!.on('input', (msg: Any) => {
      got.push(msg);
      if (got.length === n) resolve(got);
    });
  });
}

function nextCall(method: string, match: (args: any[]) => boolean = () => true): Promise<any[]> {
  return new Promise((resolve) => {
    nodeRed.getNode('LD')!.on(`call:${method}`, (call: { args: any[] }) => {
      if (match(call.args)) resolve(call.args);
    });
  });
}

const reading = (currentA: number[]): Any => ({ kind: 'reading', topic: 'SITE', payload: { meterId: 'SITE', seq: 1, timeMs: Date.now(), monoMs: 0, currentA } });
const byId = (batch: Any[]): Record<string, Any> => Object.fromEntries(batch.map((m) => [m.topic, m.payload]));

describe('chargeledger-load', () => {
  // Expert knobs from settings.js: no waiting between raises, so each reading shows the full step.
  beforeEach(() => nodeRed.settings({ chargeledgerLoadTuning: { rampIntervalMs: 0, evResponseMs: 0 } }));
  afterEach(async () => {
    await nodeRed.unload();
  });

  it('starts every connector at the safe current, then shares the site on each reading', async () => {
    await nodeRed.load(loadNode, flow());
    const first = byId(await nextBatch());
    expect(Object.keys(first).sort()).toEqual(['1', '2', '3']);
    for (const sp of Object.values(first)) {
      expect(sp).toMatchObject({ currentA: 6, boundBy: 'fail_safe', safeCurrentA: 6, validForS: 10 });
      expect(Date.parse(sp.validUntil) - Date.now()).toBeGreaterThan(8000);
    }
    const ld = nodeRed.getNode('LD')!;
    // Each event decides too (here still fail-safe: no site reading yet).
    await act({ payload: { connectorId: '1', event: 'start' } });
    await act({ payload: { connectorId: '2', cpState: 'C' } });
    const still = byId(await act({ kind: 'event', payload: { connectorId: '3', event: 'unplug' } }));
    expect(still['3']).toMatchObject({ currentA: 6, boundBy: 'fail_safe' });
    const batch = nextBatch();
    const status = nextCall('status', (a) => /^\d+\/\d+ A$/.test(a[0].text ?? ''));
    // Building 4 A on every phase plus the two EVs at the safe current.
    ld.receive(reading([16, 17, 4]));
    const sp = byId(await batch);
    expect(sp['1']).toMatchObject({ currentA: 19, boundBy: 'site_phase_L2', phases: 3 });
    expect(sp['2']).toMatchObject({ currentA: 16, boundBy: 'connector_max' });
    expect(sp['3']).toMatchObject({ currentA: 0, boundBy: 'ev_draw', phases: 1 });
    // What a technician checks: the highest phase current (L2) against that phase's limit.
    expect((await status)[0]).toMatchObject({ fill: 'green', shape: 'dot', text: '17/40 A' });
    const all = (await nextBatchAfter(() => ld.receive(reading([24, 20, 4]))));
    expect(all.every((m) => m.kind === 'setpoint')).toBe(true);
  });

  it('drops to the safe current at once on a bad health report, and when the meter falls silent', async () => {
    await nodeRed.load(loadNode, flow({ siteTimeoutS: 0.3 }));
    await nextBatch();
    const ld = nodeRed.getNode('LD')!;
    await act({ payload: { connectorId: '1', event: 'start' } });
    await act({ payload: { connectorId: '2', event: 'unplug' } });
    await act({ payload: { connectorId: '3', event: 'unplug' } });
    await nextBatchAfter(() => ld.receive(reading([10, 10, 10])));
    const safe = nextBatch();
    ld.receive({ kind: 'health', topic: 'SITE', payload: { meterId: 'SITE', state: 'stale', lastGoodAgeMs: 3000, errors: {}, sinceMs: Date.now() } });
    expect(byId(await safe)['1']).toMatchObject({ currentA: 6, boundBy: 'fail_safe' });
    ld.receive({ kind: 'health', topic: 'SITE', payload: { meterId: 'SITE', state: 'ok', lastGoodAgeMs: 0, errors: {}, sinceMs: Date.now() } });
    const normal = byId(await nextBatchAfter(() => ld.receive(reading([10, 4, 4]))));
    expect(normal['1'].currentA).toBe(32);
    const t0 = Date.now();
    const status = nextCall('status', (a) => a[0].text === 'safe: meter stale');
    const silent = byId(await nextBatch());
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(silent['1']).toMatchObject({ currentA: 6, boundBy: 'fail_safe' });
    expect((await status)[0]).toMatchObject({ fill: 'yellow', shape: 'ring' });
  });

  it('treats a reading as old as its telegram: a delayed one does not count as fresh', async () => {
    await nodeRed.load(loadNode, flow());
    await nextBatch();
    await act({ payload: { connectorId: '1', event: 'start' } });
    const old = reading([10, 10, 10]);
    old.payload.timeMs = Date.now() - 6000; // older than the 5 s meter timeout
    expect(byId(await act(old))['1']).toMatchObject({ currentA: 6, boundBy: 'fail_safe' });
    expect(byId(await act(reading([10, 10, 10])))['1'].boundBy).not.toBe('fail_safe');
  });

  it('applies config/limits from the backend and reports a bad payload as an error', async () => {
    await nodeRed.load(loadNode, flow());
    await nextBatch();
    const ld = nodeRed.getNode('LD')!;
    await act({ payload: { connectorId: '1', event: 'start' } });
    await act({ payload: { connectorId: '2', event: 'unplug' } });
    await act({ payload: { connectorId: '3', event: 'unplug' } });
    await nextBatchAfter(() => ld.receive(reading([6, 6, 6])));
    const lowered = nextBatch();
    // The status shows the limit in force on the highest phase: the backend's, here lower on L1.
    const status = nextCall('status', (a) => /^\d+\/\d+ A$/.test(a[0].text ?? '') && a[0].text !== '6/40 A');
    ld.receive({ kind: 'config', topic: 'limits', payload: { version: 1, site: { maxCurrentA: [30, 40, 40] } } });
    const low = byId(await lowered);
    expect(low['1'], JSON.stringify(low)).toMatchObject({ currentA: 30, boundBy: 'site_phase_L1' });
    expect((await status)[0].text).toBe('6/30 A');
    const err = nextCall('error');
    ld.receive({ kind: 'config', topic: 'limits', payload: { version: 9 } });
    expect(String((await err)[0])).toMatch(/version 9/);
    const err2 = nextCall('error');
    ld.receive({ payload: 'hello' });
    expect(String((await err2)[0])).toMatch(/unrecognised message/);
    const err3 = nextCall('error');
    ld.receive({ payload: { connectorId: '9', event: 'start' } });
    expect(String((await err3)[0])).toMatch(/unknown connector "9"/);
  });

  it('uses a connector meter to see a 1-phase EV and what it really draws', async () => {
    await nodeRed.load(loadNode, flow());
    await nextBatch();
    const ld = nodeRed.getNode('LD')!;
    await act({ payload: { connectorId: '3', event: 'start' } });
    ld.receive({ kind: 'reading', topic: 'M3', payload: { meterId: 'M3', seq: 1, timeMs: Date.now(), monoMs: 0, currentA: [6, 0, 0] } });
    const sp = byId(await nextBatchAfter(() => ld.receive(reading([0, 6, 0]))));
    expect(sp['3']).toMatchObject({ currentA: 20, boundBy: 'cable', phases: 1 });
  });

  it('keeps connector states over a redeploy', async () => {
    await nodeRed.load(loadNode, flow());
    await nextBatch();
    await act({ payload: { connectorId: '1', event: 'start' } });
    await act({ payload: { connectorId: '2', event: 'unplug' } });
    await act({ payload: { connectorId: '3', event: 'unplug' } });
    expect(byId(await act(reading([6, 6, 6])))['1']).toMatchObject({ currentA: 32 });
    await nodeRed.setFlows(flow({ safeCurrentA: 8 }));
    // The new instance may already have announced its safe setpoints: collect until a decided batch.
    const msgs: Any[] = [];
    nodeRed.getNode('OUT')!.on('input', (m: Any) => msgs.push(m));
    nodeRed.getNode('LD')!.receive(reading([8, 8, 8]));
    await waitFor(() => msgs.some((m) => m.topic === '3' && m.payload.boundBy !== 'fail_safe'));
    const sp = byId(msgs.slice(-3));
    // Connector 1 is still known to be charging; 2 and 3 still unplugged (not held at the safe current).
    expect(sp['1'].boundBy).not.toBe('fail_safe');
    expect(sp['1'].currentA).toBeGreaterThan(8);
    expect(sp['2']).toMatchObject({ currentA: 0, boundBy: 'ev_draw' });
    expect(sp['3']).toMatchObject({ currentA: 0, boundBy: 'ev_draw' });
  });

  it('with send "changes", sends only changed setpoints and refreshes each at half its validity', async () => {
    await nodeRed.load(loadNode, flow({ send: 'changes', validForS: 2 }));
    const got: Any[] = [];
    nodeRed.getNode('OUT')!.on('input', (m: Any) => got.push(m));
    const ld = nodeRed.getNode('LD')!;
    await waitFor(() => got.length === 3, 2000); // after the start: every connector at the safe current
    const sentAfter = async (input: Any, settleMs = 100): Promise<Any[]> => {
      const from = got.length;
      ld.receive(input);
      await new Promise((r) => setTimeout(r, settleMs));
      return got.slice(from);
    };
    // Events decide too, but in fail-safe nothing changes: nothing goes out.
    expect(await sentAfter({ payload: { connectorId: '1', event: 'start' } })).toEqual([]);
    expect(await sentAfter({ payload: { connectorId: '2', cpState: 'C' } })).toEqual([]);
    const shared = byId(await sentAfter(reading([16, 16, 4])));
    expect(shared).toMatchObject({ '1': { currentA: 20 }, '2': { currentA: 16 } });
    // The same reading again: nothing new to say.
    expect(await sentAfter(reading([16, 16, 4]))).toEqual([]);
    // Half the validity later every setpoint goes out again, unchanged.
    await new Promise((r) => setTimeout(r, 1000));
    const refresh = byId(await sentAfter(reading([16, 16, 4])));
    expect(Object.keys(refresh).sort()).toEqual(['1', '2', '3']);
    expect(refresh['1'].currentA).toBe(20);
    // One connector changes: only it goes out.
    const unplug = await sentAfter({ payload: { connectorId: '2', event: 'unplug' } });
    expect(unplug.map((m) => m.topic)).toContain('2');
    expect(byId(unplug)['2'].currentA).toBe(0);
    expect(unplug.map((m) => m.topic)).not.toContain('3');
  });

  it('refuses an unknown send mode', async () => {
    await nodeRed.load(loadNode, flow({ send: 'sometimes' }));
    const err = nextCall('error');
    nodeRed.getNode('LD')!.receive(reading([1, 1, 1]));
    expect(String((await err)[0])).toMatch(/Send must be one of all, changes, got "sometimes"/);
  });

  it('shows a configuration error in red and rejects input', async () => {
    await nodeRed.load(loadNode, flow({ siteCurrentA: 'lots' }));
    const ld = nodeRed.getNode('LD')!;
    const err = nextCall('error', (a) => /not configured/.test(String(a[0])));
    ld.receive(reading([1, 1, 1]));
    expect(String((await err)[0])).toMatch(/not configured: chargeledger-load: Site current must be one number or three \(L1,L2,L3\) in A, got "lots"/);
  });
});

/** Send `msg` to the load node and resolve with the batch it causes. */
function act(msg: Any): Promise<Any[]> {
  return nextBatchAfter(() => nodeRed.getNode('LD')!.receive(msg));
}

/** Run `act` and resolve with the batch it causes. */
async function nextBatchAfter(act: () => void): Promise<Any[]> {
  const batch = nextBatch();
  act();
  return batch;
}

import { describe, expect, it } from 'vitest';
import { applyConnectorReading, applyEvent, drawDa, newRuntime, wiredPhases } from '../../../src/core/load/connector';

const cfg = { id: '1', phases: 3 as const, phase: 2 as const, maxCurrentA: 32 };

describe('connector runtime', () => {
  it('wires a 3-phase connector with rotation, a 1-phase connector to its phase', () => {
    expect(wiredPhases(cfg)).toEqual([2, 3, 1]);
    expect(wiredPhases({ phases: 1, phase: 3 })).toEqual([3]);
    expect(wiredPhases(cfg, 1)).toEqual([2]);
  });

  it('follows charger events and IEC 61851 CP states', () => {
    const rt = newRuntime(cfg, 60, 0);
    expect(rt.state).toBe('unknown');
    const seq: Array<[Parameters<typeof applyEvent>[1], string]> = [
      [{ connectorId: '1', cpState: 'A' }, 'unplugged'],
      [{ connectorId: '1', event: 'authorize' }, 'ready'],
      [{ connectorId: '1', event: 'plug' }, 'ready'], // authorised before plugging in: stays ready
      [{ connectorId: '1', cpState: 'C' }, 'charging'],
      [{ connectorId: '1', cpState: 'B' }, 'suspended_ev'],
      [{ connectorId: '1', event: 'resume' }, 'charging'],
      [{ connectorId: '1', event: 'suspend_evse' }, 'ready'],
      [{ connectorId: '1', event: 'stop' }, 'plugged'],
      [{ connectorId: '1', cpState: 'B' }, 'plugged'],
      [{ connectorId: '1', cpState: 'F' }, 'faulted'],
      [{ connectorId: '1', event: 'unplug' }, 'unplugged'],
      [{ connectorId: '1', cpState: 'B' }, 'ready'],
    ];
    for (const [ev, state] of seq) {
      applyEvent(rt, ev, 1);
      expect(rt.state, JSON.stringify(ev)).toBe(state);
    }
    applyEvent(rt, { connectorId: '1', cpState: 'C' }, 2);
    rt.setpointDa = 0; // we paused it: B means it waits for current, not that it is full
    applyEvent(rt, { connectorId: '1', cpState: 'B' }, 3);
    expect(rt.state).toBe('ready');
    expect(() => applyEvent(rt, { connectorId: '1', event: 'explode' as never }, 2)).toThrow(/unknown charger event/);
    expect(() => applyEvent(rt, { connectorId: '1', cpState: 'Z' as never }, 2)).toThrow(/unknown CP state/);
    expect(() => applyEvent(rt, { connectorId: '1' } as never, 2)).toThrow(/needs "event" or "cpState"/);
  });

  it('learns a 1-phase EV from its meter, in site phases, and forgets it at unplug', () => {
    const rt = newRuntime(cfg, 60, 0);
    applyEvent(rt, { connectorId: '1', event: 'start' }, 0);
    // Connector L2 is site L3 with this rotation.
    applyConnectorReading(rt, [0, 16, 0.2], { atMs: 10 });
    expect(rt.sitePhases).toEqual([3]);
    expect(drawDa(rt, 10, 5000, 5000)).toEqual([2, 0, 160]); // connector L3 is site L1
    applyConnectorReading(rt, [16, 16, 16], { atMs: 20 });
    expect(rt.sitePhases).toEqual([2, 3, 1]);
    applyConnectorReading(rt, [0, 16, 0], { atMs: 30 });
    applyEvent(rt, { connectorId: '1', event: 'unplug' }, 40);
    expect(rt.sitePhases).toEqual([2, 3, 1]);
  });

  it('assumes a meterless charging EV draws its setpoint, or what it was just lowered from', () => {
    const rt = newRuntime(cfg, 60, 0);
    expect(drawDa(rt, 0, 5000, 5000)).toEqual([0, 0, 0]); // unknown: assume nothing
    applyEvent(rt, { connectorId: '1', event: 'start' }, 0);
    rt.setpointDa = 100;
    rt.lastDecreaseMs = 1000;
    rt.decreasedFromDa = 160;
    expect(drawDa(rt, 2000, 5000, 5000)).toEqual([160, 160, 160]);
    expect(drawDa(rt, 7000, 5000, 5000)).toEqual([100, 100, 100]);
  });
});

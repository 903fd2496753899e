import { describe, expect, it } from 'vitest';
import { applyEvent, newRuntime } from '../../../src/core/load/connector';

// The charger's state report on (re)connect sets a restarted controller's unknown connectors straight.
describe('state report line', () => {
  it('C → charging, B → waiting for current, A → unplugged; the extra fields are accepted', () => {
    for (const [cpState, state] of [['C', 'charging'], ['B', 'ready'], ['A', 'unplugged']] as const) {
      const rt = newRuntime({ id: '1', phases: 3, maxCurrentA: 32 }, 60, 0);
      expect(rt.state).toBe('unknown');
      applyEvent(rt, { connectorId: '1', cpState, idTag: 'RFID4711', report: 'status', timeMs: 1_764_000_000_000 }, 1);
      expect(rt.state).toBe(state);
    }
  });
});

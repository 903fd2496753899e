// Which setpoints to send when only changes should go out. A charger driven over OCPP
// (SetChargingProfile) or Modbus needs a message when its current changes and before the last
// one's validity runs out, not on every site reading: one profile per second per connector is
// traffic that OCPP chargers throttle or reject. Pure: time comes in as an argument.
import type { Setpoint } from './types';

interface Sent {
  currentA: number;
  phases: 1 | 3;
  atMs: number;
}

/** Remembers what each connector was last sent; passes on changes and due refreshes. */
export class SetpointSendFilter {
  private readonly last = new Map<string, Sent>();

  /** `refreshMs`: a setpoint unchanged for this long is sent again (half its validity leaves margin for a lost message). */
  constructor(private readonly refreshMs: number) {}

  /** The setpoints to send now, in order: new connectors, changed current or phases, and refreshes due. */
  select(setpoints: readonly Setpoint[], nowMs: number): Setpoint[] {
    const out: Setpoint[] = [];
    for (const sp of setpoints) {
      const prev = this.last.get(sp.connectorId);
      if (prev && prev.currentA === sp.currentA && prev.phases === sp.phases && nowMs - prev.atMs < this.refreshMs) continue;
      this.last.set(sp.connectorId, { currentA: sp.currentA, phases: sp.phases, atMs: nowMs });
      out.push(sp);
    }
    return out;
  }

  /** Forget what was sent, so the next decision goes out in full (after a restart of the chargers' link). */
  reset(): void {
    this.last.clear();
  }
}

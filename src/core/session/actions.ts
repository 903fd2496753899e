// Mapping charger events (explicit names and IEC 61851 CP states) to what they mean for a session.
import type { ChargerEvent } from './events';
import type { ChargeState } from './state';

/** The meaning of one charger event for the state machine. */
export type EventAction =
  | { kind: 'plug'; always: boolean }
  | { kind: 'authorize' }
  | { kind: 'state'; state: ChargeState; opens: boolean; flag?: string; cp?: boolean }
  | { kind: 'cp_b' }
  | { kind: 'stop' }
  | { kind: 'unplug' };

/**
 * CP A = unplugged; B = plugged, EV not requesting energy (opens a session, or suspends charging as
 * suspended_ev); C/D = charging (opens a session if none: a missed B); E/F = error, the session is kept
 * and marked suspended_evse with a 'cp_state:E'/'cp_state:F' flag, because the error may clear.
 * An explicit 'plug' always opens a new session (a missed unplug), a CP B only when the EV was unplugged.
 * After a stop with the EV still plugged, a lingering C/D does not open a new session until a B was seen.
 */
export function classifyEvent(ev: ChargerEvent): EventAction {
  if ('cpState' in ev) {
    switch (ev.cpState) {
      case 'A':
        return { kind: 'unplug' };
      case 'B':
        return { kind: 'cp_b' };
      case 'C':
      case 'D':
        return { kind: 'state', state: 'charging', opens: true, cp: true };
      default:
        return { kind: 'state', state: 'suspended_evse', opens: false, flag: `cp_state:${ev.cpState}` };
    }
  }
  switch (ev.event) {
    case 'plug':
      return { kind: 'plug', always: true };
    case 'authorize':
      return { kind: 'authorize' };
    case 'start':
    case 'resume':
      return { kind: 'state', state: 'charging', opens: true };
    case 'suspend_ev':
      return { kind: 'state', state: 'suspended_ev', opens: false };
    case 'suspend_evse':
      return { kind: 'state', state: 'suspended_evse', opens: false };
    case 'stop':
      return { kind: 'stop' };
    case 'unplug':
      return { kind: 'unplug' };
  }
}

// Contract: a connector current setpoint (`msg.kind: 'setpoint'`), as chargeledger-load emits it.
import type { BoundBy, Setpoint } from '../load/types';
import { id, isoTime, num, obj, oneOf, opt } from './fields';
import { parser } from './result';

export type { Setpoint } from '../load/types';

/** What can bind a setpoint, in the load node's words. */
export const BOUND_BY: readonly BoundBy[] = ['site_phase_L1', 'site_phase_L2', 'site_phase_L3', 'site_power', 'connector_max', 'cable', 'priority', 'fail_safe', 'admission', 'fair_share', 'ramp', 'ev_draw'];

/** Parse `msg.payload` of a setpoint. `validUntil` and `boundBy` may be absent in a hand-made setpoint. */
export const parseSetpoint = parser<Setpoint>('setpoint', (input) => {
  const o = obj(input, 'payload');
  return {
    connectorId: id(o.connectorId, 'connectorId'),
    currentA: num(o.currentA, 'currentA', 0, 10_000),
    phases: oneOf(o.phases ?? 3, 'phases', [1, 3] as const),
    validForS: num(o.validForS ?? 0, 'validForS', 0, 86_400),
    validUntil: opt(o, 'validUntil', isoTime) ?? '',
    boundBy: oneOf(o.boundBy ?? 'fail_safe', 'boundBy', BOUND_BY),
    safeCurrentA: num(o.safeCurrentA ?? 0, 'safeCurrentA', 0, 10_000),
  };
});

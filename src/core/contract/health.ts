// Contract: a meter health change (`msg.kind: 'health'`), as chargeledger-meter emits it.
import type { MeterHealth, MeterHealthState } from '../types';
import { int, num, obj, oneOf, refuse, str } from './fields';
import { parser } from './result';

export type { MeterHealth } from '../types';

/** The health states, in the meter node's words. */
export const HEALTH_STATES: readonly MeterHealthState[] = ['ok', 'stale', 'disconnected', 'corrupt'];

/** Parse `msg.payload` of a health message (a meter's, or with `port` a meter port's). */
export const parseHealth = parser<MeterHealth>('health', (input) => {
  const o = obj(input, 'payload');
  const errors = obj(o.errors ?? {}, 'errors');
  if (Object.keys(errors).length > 64) refuse('errors', 'must have at most 64 reasons');
  for (const [k, n] of Object.entries(errors)) int(n, `errors.${k}`);
  const h: MeterHealth & { port?: string } = {
    meterId: str(o.meterId, 'meterId', 128),
    state: oneOf(o.state, 'state', HEALTH_STATES),
    lastGoodAgeMs: o.lastGoodAgeMs === null || o.lastGoodAgeMs === undefined ? null : num(o.lastGoodAgeMs, 'lastGoodAgeMs', 0),
    errors: errors as Record<string, number>,
    sinceMs: num(o.sinceMs ?? 0, 'sinceMs', 0),
  };
  // The health of a port on which no meter has identified itself yet (not a meter).
  if (o.port !== undefined) h.port = str(o.port, 'port', 512);
  return h;
});

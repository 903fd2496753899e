// Contract: a priced session: the session in msg.payload and the price node's result in msg.pricing.
import type { Session } from '../types';
import { obj, str } from './fields';
import { parser, type Result } from './result';
import { parseSession } from './session';

/** A session with its pricing (a PricingResult, or `{status: 'failed', reason, …}` when it could not be priced). */
export interface PricedSession {
  session: Session;
  pricing?: Record<string, unknown>;
  /** Hash of the tariff the pricing used. */
  tariffHash?: string;
}

const pricingOf = parser<Record<string, unknown> | undefined>('pricing', (p) => {
  if (p === undefined || p === null) return undefined;
  const o = obj(p, 'msg.pricing');
  if (o.status === 'failed') str(o.reason, 'msg.pricing.reason', 4096);
  else str(o.currency, 'msg.pricing.currency', 3);
  return o;
});

/** Parse a priced session from a message's payload and pricing. */
export function parsePricedSession(payload: unknown, pricing: unknown): Result<PricedSession> {
  const s = parseSession(payload);
  if (!s.ok) return s;
  const p = pricingOf(pricing);
  if (!p.ok) return p;
  const out: PricedSession = { session: s.value };
  if (p.value) {
    out.pricing = p.value;
    if (typeof p.value.tariffHash === 'string') out.tariffHash = p.value.tariffHash;
  }
  return { ok: true, value: out };
}

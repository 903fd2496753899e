// Contract: a session event (`msg.kind: 'session-event'`): started, updated (live figures) or finished.
import { id, obj, oneOf } from './fields';
import { parser } from './result';

/** Session event types. */
export const SESSION_EVENT_TYPES = ['started', 'updated', 'finished', 'unattributed'] as const;

/** A session event: the type, and the open session's snapshot (or the finished session). */
export interface SessionEvent {
  type: (typeof SESSION_EVENT_TYPES)[number];
  /** A snapshot: at least the connector; the full shape is in the session node's help. */
  session: Record<string, unknown> & { connectorId: string };
}

/** Parse `msg.payload` of a session event. */
export const parseSessionEvent = parser<SessionEvent>('session event', (input) => {
  const o = obj(input, 'payload');
  const session = obj(o.session, 'session');
  return { type: oneOf(o.type, 'type', SESSION_EVENT_TYPES), session: { ...session, connectorId: id(session.connectorId, 'session.connectorId') } };
});

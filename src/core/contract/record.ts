// Contract: a signed ledger record (`msg.kind: 'record'`; the MQTT payload), as chargeledger-record emits it.
import type { LedgerRecord } from '../ledger/record';
import { int, isoTime, obj, refuse, str } from './fields';
import { parser } from './result';
import { parseSession } from './session';

export type { LedgerRecord } from '../ledger/record';

const HEX64 = /^[0-9a-f]{64}$/;

/** Parse a record's shape (the signature and chain are checked by verifyLedgerRecord, not here). */
export const parseRecord = parser<LedgerRecord>('record', (input) => {
  const o = obj(input, 'payload');
  if (o.v !== 1) refuse('v', 'must be 1');
  const session = parseSession(o.session);
  if (!session.ok) refuse('session', session.reason.replace(/^session: /, ''));
  if (typeof o.prev !== 'string' || !HEX64.test(o.prev)) refuse('prev', 'must be 64 lower-case hex digits');
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) refuse('hash', 'must be 64 lower-case hex digits');
  if (typeof o.ocmf !== 'string' || !o.ocmf.startsWith('OCMF|')) refuse('ocmf', "must be an 'OCMF|…|…' string");
  str(o.id, 'id', 256);
  int(o.seq, 'seq', 1);
  str(o.stationId, 'stationId', 128);
  str(o.keyId, 'keyId', 64);
  isoTime(o.createdAt, 'createdAt');
  return o as unknown as LedgerRecord;
});

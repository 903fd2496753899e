/** What can be wrong with a record or a chain of records. */
export type ProblemKind =
  | 'deleted' // a seq is missing (gap)
  | 'reordered' // a record arrived after one with a higher seq
  | 'duplicated' // the same seq or the same session id appears twice
  | 'altered' // content does not match its hash, its signed body hash, or the next record's prev
  | 'bad-signature' // the OCMF signature does not verify
  | 'unknown-key' // no public key for the record's keyId
  | 'malformed'; // not a ledger record at all

/** One named problem, tied to a record where possible. */
export interface RecordProblem {
  kind: ProblemKind;
  seq: number | null;
  id: string | null;
  message: string;
}

/** Format a problem as one line of text. */
export function formatProblem(p: RecordProblem): string {
  const where = p.seq !== null ? `seq ${p.seq}` : 'record';
  return `${where}${p.id ? ` (${p.id})` : ''}: ${p.kind}: ${p.message}`;
}

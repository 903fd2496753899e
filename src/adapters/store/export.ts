// Stored session records as export lines: JSON lines exactly as stored and published (which
// `chargeledger verify --chain` checks), or CSV with a header. Streams in constant memory; shared
// by `chargeledger sessions` and the ledger node's download endpoint.
import { SESSION_CSV_COLUMNS, sessionCsvRow } from '../../core/ledger/csv';
import type { LedgerRecord } from '../../core/ledger/record';
import type { LedgerStore } from './ledger-store';
import { recordsSince, recordTexts } from './query';

/** Export formats. */
export type ExportFormat = 'jsonl' | 'csv';

/** What to export. */
export interface ExportOptions {
  format: ExportFormat;
  /** Only sessions that ended at or after this ISO time (then in end-time order); else all, in seq order. */
  since?: string;
}

/** Check user-supplied export options; returns the problem, or null when they are fine. */
export function exportOptionsProblem(format: unknown, since: unknown): string | null {
  if (format !== 'csv' && format !== 'jsonl') return `format must be csv or jsonl, got "${String(format)}"`;
  if (since !== undefined && (typeof since !== 'string' || Number.isNaN(Date.parse(since)))) return `since must be an ISO 8601 time, got "${String(since)}"`;
  return null;
}

/** The export, one line (without its line end) at a time. */
export async function* exportLines(store: LedgerStore, opts: ExportOptions): AsyncGenerator<string> {
  const csv = opts.format === 'csv';
  if (csv) yield SESSION_CSV_COLUMNS.join(',');
  if (opts.since !== undefined) {
    for await (const r of recordsSince(store, opts.since)) yield csv ? sessionCsvRow(r) : JSON.stringify(r);
  } else {
    for await (const { text } of recordTexts(store)) yield csv ? sessionCsvRow(JSON.parse(text) as LedgerRecord) : text;
  }
}

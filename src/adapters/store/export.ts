// Stored session records as export lines: JSON lines exactly as stored and published (which
// `chargeledger verify --chain` checks), or CSV with a header. Streams in constant memory; shared
// by `chargeledger sessions` and the ledger node's download endpoint. Also reads such a JSON-lines
// export back (for `chargeledger report FILE`).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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
export function exportOptionsProblem(format: unknown, since: unknown, formats: readonly string[] = ['csv', 'jsonl']): string | null {
  if (typeof format !== 'string' || !formats.includes(format)) return `format must be ${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}, got "${String(format)}"`;
  if (since !== undefined && (typeof since !== 'string' || Number.isNaN(Date.parse(since)))) return `since must be an ISO 8601 time, got "${String(since)}"`;
  return null;
}

/** The stored records: all in seq order, or (with `since`) those that ended at or after it, in end-time order. */
export async function* exportRecords(store: LedgerStore, since?: string): AsyncGenerator<LedgerRecord> {
  if (since !== undefined) yield* recordsSince(store, since);
  else for await (const { text } of recordTexts(store)) yield JSON.parse(text) as LedgerRecord;
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

/**
 * The records of a JSON-lines export file (the ledger node's download or `chargeledger sessions`),
 * in file order; blank lines are skipped. Throws naming the line that is not a record (a CSV
 * export, for instance), so a wrong file never gives a silently empty result.
 */
export async function* recordsFromExportFile(file: string): AsyncGenerator<LedgerRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${file} line ${n} is not JSON: use the "JSON lines" export, not CSV`);
    }
    const r = value as Partial<LedgerRecord>;
    if (!r || typeof r !== 'object' || typeof r.seq !== 'number' || !r.session || typeof r.session !== 'object') throw new Error(`${file} line ${n} is not a session record`);
    yield r as LedgerRecord;
  }
}

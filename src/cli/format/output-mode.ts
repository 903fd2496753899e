// Which output a listing command prints: a table for a person at a terminal, machine-readable
// lines otherwise (a pipe, a file, a script), so `chargeledger sessions > x.jsonl` stays JSON.
import { UsageError } from '../usage';

/** Resolve --format/--json: `table` only when asked for or when stdout is a terminal. */
export function outputFormat(opts: { format?: string; json?: boolean; isTTY: boolean; formats: readonly string[] }): string {
  if (opts.json && opts.format !== undefined && opts.format !== 'jsonl') throw new UsageError(`--json and --format ${opts.format} contradict each other`);
  if (opts.json) return 'jsonl';
  if (opts.format === undefined) return opts.isTTY ? 'table' : 'jsonl';
  if (!opts.formats.includes(opts.format)) throw new UsageError(`--format must be ${opts.formats.slice(0, -1).join(', ')} or ${opts.formats[opts.formats.length - 1]}, got "${opts.format}"`);
  return opts.format;
}

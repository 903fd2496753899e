import { existsSync } from 'node:fs';
import path from 'node:path';
import { exportLines, exportOptionsProblem, type ExportFormat } from '../../adapters/store/export';
import { openStationForReading, resolveStationDir } from '../../adapters/store/station';
import { UsageError, parseOptions, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger sessions --data DIR [--station ID] [--since ISO] [--format csv|jsonl]

Export the stored session records. jsonl (default) prints each record exactly as stored and
published, one per line, which \`chargeledger verify --chain FILE.jsonl --pubkey KEY\` can check.
csv prints one row per session (energy in Wh, times in ISO 8601 UTC).

  --data DIR      the station directory (<data dir>/<station id>), or a data dir with --station
                  or with exactly one station
  --station ID    the station inside the data dir
  --since ISO     only sessions that ended at or after this time (then ordered by end time)
  --format F      jsonl (default) or csv

Exit: 0 ok, 1 failure (such as the database being in use by Node-RED), 2 usage error.`;

/** `chargeledger sessions`: export stored records as JSON lines or CSV. */
export default {
  summary: 'export stored session records as CSV or JSON lines',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' } });
    if (!values.data) throw new UsageError('--data DIR is required');
    const format = values.format ?? 'jsonl';
    const problem = exportOptionsProblem(format, values.since);
    if (problem) throw new UsageError(`--${problem}`);
    const dbPath = path.join(resolveStationDir(values.data, values.station), 'ledger');
    if (!existsSync(dbPath)) throw new Error(`no ledger database at ${dbPath}`);
    const store = await openStationForReading(dbPath);
    try {
      for await (const line of exportLines(store, { format: format as ExportFormat, since: values.since })) io.stdout(`${line}\n`);
    } finally {
      await store.close().catch(() => undefined);
    }
    return 0;
  },
} satisfies Command;

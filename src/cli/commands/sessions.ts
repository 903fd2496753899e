import { existsSync } from 'node:fs';
import path from 'node:path';
import { LedgerStore } from '../../adapters/store/ledger-store';
import { recordsSince, recordTexts } from '../../adapters/store/query';
import { resolveStationDir } from '../../adapters/store/station';
import type { LedgerRecord } from '../../core/ledger/record';
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

const CSV_COLUMNS = ['seq', 'id', 'stationId', 'chargerId', 'connectorId', 'idTag', 'startTime', 'endTime', 'durationS', 'energyWh', 'stopReason', 'flags', 'currency', 'keyId', 'hash'] as const;

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(r: LedgerRecord): string {
  const s = r.session;
  const currency = r.pricing && typeof r.pricing === 'object' ? (r.pricing as { currency?: string }).currency : undefined;
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: r.seq, id: r.id, stationId: r.stationId, chargerId: s.chargerId, connectorId: s.connectorId, idTag: s.idTag,
    startTime: s.startTime, endTime: s.endTime, durationS: s.durationS, energyWh: s.energyWh, stopReason: s.stopReason,
    flags: s.flags.join(' '), currency, keyId: r.keyId, hash: r.hash,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

/** `chargeledger sessions`: export stored records as JSON lines or CSV. */
export default {
  summary: 'export stored session records as CSV or JSON lines',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' } });
    if (!values.data) throw new UsageError('--data DIR is required');
    const format = values.format ?? 'jsonl';
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, got "${format}"`);
    if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since must be an ISO 8601 time, got "${values.since}"`);
    const dbPath = path.join(resolveStationDir(values.data, values.station), 'ledger');
    if (!existsSync(dbPath)) throw new Error(`no ledger database at ${dbPath}`);
    const store = new LedgerStore(dbPath);
    try {
      await store.ready.catch((e: Error) => {
        throw new Error(/lock/i.test(e.message) ? `${dbPath} is in use (stop Node-RED first)` : e.message);
      });
      if (format === 'csv') io.stdout(`${CSV_COLUMNS.join(',')}\n`);
      if (values.since !== undefined) {
        for await (const r of recordsSince(store, values.since)) io.stdout(`${format === 'csv' ? csvRow(r) : JSON.stringify(r)}\n`);
      } else {
        for await (const { text } of recordTexts(store)) io.stdout(`${format === 'csv' ? csvRow(JSON.parse(text) as LedgerRecord) : text}\n`);
      }
    } finally {
      await store.close().catch(() => undefined);
    }
    return 0;
  },
} satisfies Command;

import { readFileSync } from 'node:fs';
import { listPublicKeys } from '../../adapters/keys/keystore';
import { exportLines, exportOptionsProblem, exportRecords, type ExportFormat } from '../../adapters/store/export';
import { openStationForReading } from '../../adapters/store/station';
import { buildCdr, cdrSkipReason } from '../../core/ocpi/cdr';
import { parseCdrSite, type CdrSite } from '../../core/ocpi/site';
import { decodePublicKey } from '../../core/ocmf/public-key';
import { isLevelDb, keysDirOf, ledgerDirOf, requireStation } from '../data-dir';
import { outputFormat } from '../format/output-mode';
import { SESSION_COLUMNS } from '../format/sessions-table';
import { collectTable } from '../format/table';
import { UsageError, parseOptions, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger sessions [--data DIR] [--station ID] [--since ISO]
                             [--format table|jsonl|csv|cdr] [--json] [--site FILE.json]

Export the stored session records (read-only). On a terminal the default is a table for people:
seq, start (UTC), duration, connector, idTag, energy in kWh, stop reason, the driver's total incl.
VAT with its currency (- when not priced) and flags; long text cells are cut with "…". The table
is laid out after reading all records; for large ledgers use jsonl or csv, which stream.
jsonl (the default when standard output is not a terminal, or --json) prints each record exactly as
stored and published, one per line, which \`chargeledger verify --chain FILE.jsonl\` and
\`chargeledger report FILE.jsonl\` read. csv prints one row per session: energy in Wh, times in
ISO 8601 UTC, and the money the driver was charged as decimal strings in major units of
currency: revenueExclVat, revenueInclVat, cost (energy bought, excl. VAT), margin, tariffId.
cdr prints one OCPI 2.2.1 CDR per line: the signed pricing (total_cost, total_energy_cost,
total_time_cost, total_parking_cost, total_fixed_cost, total_energy, total_time,
total_parking_time), the charging periods, and the signed OCMF in signed_data.

  --data DIR      the data dir, or one station directory. Default: CHARGELEDGER_DATA_DIR,
                  else ./data (as npm start)
  --station ID    the station inside the data dir (default CHARGELEDGER_STATION_ID, else the
                  only one)
  --since ISO     only sessions that ended at or after this time (then ordered by end time)
  --format F      table (default on a terminal), jsonl (default otherwise), csv or cdr
  --json          the same as --format jsonl
  --site FILE     for cdr (required): the CPO, location and connectors as JSON, e.g.
                  {"country_code":"DE","party_id":"CLG","location":{"id":"LOC1","address":"Main St 1",
                   "city":"Berlin","country":"DEU","coordinates":{"latitude":"52.52","longitude":"13.40"}},
                   "connector":{"connector_standard":"IEC_62196_T2","connector_format":"SOCKET",
                   "connector_power_type":"AC_3_PHASE"},"evses":{"CP1/1":{"evse_id":"DE*CLG*E0001*1"}},
                   "token":{"country_code":"DE","party_id":"ABC","type":"RFID"},"auth_method":"WHITELIST"}
                  Records without an idTag, without pricing, or of unattributed energy get no CDR
                  (counted on standard error).

Exit: 0 ok, 1 failure (no station or ledger; the database in use by Node-RED), 2 usage error.`;

function readSite(file: string | undefined): CdrSite {
  if (!file) throw new UsageError('--format cdr needs --site FILE.json (the CPO, location and connectors)');
  try {
    return parseCdrSite(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UsageError(`--site ${file}: ${(e as Error).message}`);
  }
}

/** `chargeledger sessions`: stored records as a table, JSON lines, CSV or OCPI CDRs. */
export default {
  summary: 'list stored session records (a table) or export them as JSON lines, CSV or OCPI CDRs',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, site: { type: 'string' } });
    const format = outputFormat({ format: values.format, json: values.json, isTTY: io.isTTY === true, formats: ['table', 'jsonl', 'csv', 'cdr'] });
    const problem = exportOptionsProblem(format, values.since, ['table', 'jsonl', 'csv', 'cdr']);
    if (problem) throw new UsageError(`--${problem}`);
    const site = format === 'cdr' ? readSite(values.site) : undefined;
    const { stationDir } = requireStation({ data: values.data, station: values.station });
    const dbPath = ledgerDirOf(stationDir);
    if (!isLevelDb(dbPath)) throw new Error(`no ledger database at ${dbPath}`);
    const store = await openStationForReading(dbPath);
    try {
      if (site) {
        const keys = new Map([...listPublicKeys(keysDirOf(stationDir))].map(([id, pem]) => [id, decodePublicKey(pem).spki]));
        const skipped = new Map<string, number>();
        for await (const r of exportRecords(store, values.since)) {
          const why = cdrSkipReason(r);
          if (why) skipped.set(why, (skipped.get(why) ?? 0) + 1);
          else io.stdout(`${JSON.stringify(buildCdr(r, site, keys.get(r.keyId)))}\n`);
        }
        for (const [why, n] of skipped) io.stderr(`sessions: ${n} record${n === 1 ? '' : 's'} without a CDR: ${why}\n`);
      } else if (format === 'table') {
        const table = collectTable(SESSION_COLUMNS);
        let n = 0;
        for await (const r of exportRecords(store, values.since)) {
          table.add(r);
          n++;
        }
        io.stdout(n ? `${table.lines().join('\n')}\n` : 'no session records\n');
      } else {
        for await (const line of exportLines(store, { format: format as ExportFormat, since: values.since })) io.stdout(`${line}\n`);
      }
    } finally {
      await store.close().catch(() => undefined);
    }
    return 0;
  },
} satisfies Command;

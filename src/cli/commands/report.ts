import fs from 'node:fs';
import path from 'node:path';
import { openStationForReading } from '../../adapters/store/station';
import { recordTexts } from '../../adapters/store/query';
import { recordsFromExportFile } from '../../adapters/store/export';
import type { LedgerRecord } from '../../core/ledger/record';
import { formatMinor } from '../../core/money/money';
import { RollupState, type RollupLevel, type RollupPeriod, type RollupRow } from '../../core/rollup';
import { checkTimeZone } from '../../core/tariff/validate';
import { dataDirOf, describeDataDir, isLevelDb, ledgerDirOf, stationBases } from '../data-dir';
import { parseOptions, UsageError, type Command } from '../usage';

const usage = `Usage: chargeledger report [--data DIR | FILE.jsonl] [--by connector|charger|site]
                           [--period day|week|month] [--format table|csv|json] [--timezone ZONE]

Revenue, cost and margin rollups computed from the records in the ledger (read-only).

  FILE.jsonl        a JSON-lines export: the ledger node's Sessions "JSON lines" download or
                    \`chargeledger sessions\`. Works while Node-RED runs.
  --data DIR        the data dir (every station in it: <dir>/<stationId>/ledger), one station
                    dir, a LevelDB ledger directory itself, or a JSON-lines export file.
                    Default: CHARGELEDGER_DATA_DIR, else ./data (as npm start). A ledger must
                    not be open elsewhere (LevelDB allows one opener): while Node-RED runs,
                    download the sessions and report on that file
  --by LEVEL        connector (default), charger or site
  --period P        day (default), week (ISO weeks) or month
  --format F        table (default), csv or json (one array of rows)
  --timezone ZONE   IANA zone for day/week/month boundaries (default UTC)

Columns: sessions, energy (kWh), revenue excl. VAT, cost, margin, utilisation (charging
time / (period length × connectors)), average power (kW), aborted and faulted shares, the
change in energy and revenue against the previous period, and underperforming flags
(connectors only: low_utilisation, low_revenue, high_fault_rate, low_power).
Exit codes: 0 ok, 1 no ledger found or unreadable, 2 usage error.
`;

function ledgerDirs(dir: string): string[] {
  if (isLevelDb(dir)) return [dir];
  if (isLevelDb(ledgerDirOf(dir))) return [ledgerDirOf(dir)];
  if (!fs.existsSync(dir)) return [];
  for (const base of stationBases(dir)) {
    let entries: string[];
    try {
      entries = fs.existsSync(base) ? fs.readdirSync(base) : [];
    } catch (e) {
      throw new Error(`cannot read ${base}: ${(e as Error).message}`, { cause: e });
    }
    const found = entries.map((e) => ledgerDirOf(path.join(base, e))).filter(isLevelDb).sort();
    if (found.length > 0) return found;
  }
  return [];
}

/** Feed every record of a JSON-lines export into the rollups. */
async function addFile(state: RollupState, file: string): Promise<void> {
  for await (const rec of recordsFromExportFile(file)) state.add({ session: rec.session, pricing: rec.pricing });
}

/** Feed every record of the LevelDB ledgers found under `dir` into the rollups. */
async function addLedgers(state: RollupState, dir: string, described: string): Promise<void> {
  const dirs = ledgerDirs(dir);
  if (dirs.length === 0) throw new Error(`no ledger found in ${described}`);
  for (const db of dirs) {
    const store = await openStationForReading(db);
    try {
      for await (const { text } of recordTexts(store)) {
        const rec = JSON.parse(text) as LedgerRecord;
        state.add({ session: rec.session, pricing: rec.pricing });
      }
    } catch (e) {
      throw new Error(`cannot read ledger ${db}: ${(e as Error).message}`, { cause: e });
    } finally {
      await store.close().catch(() => undefined);
    }
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const chg = (x: number | null | undefined): string => (x === null || x === undefined ? '' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);

function cells(r: RollupRow): string[] {
  const cur = r.currency ?? 'EUR';
  return [
    r.bucket, r.entity, String(r.sessions), (r.energyWh / 1000).toFixed(3),
    formatMinor(r.revenueExclMinor, cur), formatMinor(r.costMinor, cur), formatMinor(r.marginMinor, cur), r.currency ?? '',
    pct(r.utilisation), (r.avgPowerW / 1000).toFixed(2), pct(r.abortedShare), pct(r.faultedShare),
    chg(r.trend?.energyChange), chg(r.trend?.revenueChange), (r.flags ?? []).join(' '),
  ];
}

const HEAD = ['period', 'entity', 'sessions', 'energy_kwh', 'revenue_excl_vat', 'cost', 'margin', 'currency', 'utilisation', 'avg_power_kw', 'aborted', 'faulted', 'energy_change', 'revenue_change', 'flags'];

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function render(rows: RollupRow[], format: string): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 1)}\n`;
  const body = rows.map(cells);
  if (format === 'csv') return [HEAD, ...body].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [HEAD, ...body].map((r) => r.map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

function choice(value: string | undefined, allowed: string[], fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join('|')}, got "${value}"`);
  return value;
}

const command: Command = {
  summary: 'revenue, cost and margin rollups from the ledger',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, { data: { type: 'string' }, by: { type: 'string' }, period: { type: 'string' }, format: { type: 'string' }, timezone: { type: 'string' } }, true);
    if (positionals.length > 1 || (positionals.length === 1 && values.data !== undefined)) throw new UsageError('give one FILE.jsonl or --data, not both');
    const by = choice(values.by, ['connector', 'charger', 'site'], 'connector', 'by') as RollupLevel;
    const period = choice(values.period, ['day', 'week', 'month'], 'day', 'period') as RollupPeriod;
    const format = choice(values.format, ['table', 'csv', 'json'], 'table', 'format');
    let tz: string;
    try {
      tz = checkTimeZone(values.timezone ?? 'UTC');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const state = new RollupState(tz);
    const data = dataDirOf(positionals[0] ?? values.data);
    if (fs.existsSync(data.dir) && fs.statSync(data.dir).isFile()) await addFile(state, data.dir);
    else await addLedgers(state, data.dir, describeDataDir(data));
    io.stdout(render(state.rows(by, period), format));
    return 0;
  },
};

export default command;

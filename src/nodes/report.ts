import { acquireRollups, releaseRollups, type LevelRollups } from '../adapters/rollups/level-rollups';
import type { LedgerStore } from '../adapters/store/ledger-store';
import type { RollupLevel, RollupPeriod } from '../core/rollup';
import { checkTimeZone } from '../core/tariff/validate';
import { DefReader } from './lib/def-fields';
import { onInput } from './lib/input';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/red';
import { statusFault, statusOk, statusWarn } from './lib/status';

const LEVELS = ['connector', 'charger', 'site'];
/** Most records one `latest` request returns (a page's table, not an export: use the CSV download for that). */
export const MAX_LATEST = 1000;
const PERIODS = ['day', 'week', 'month'];

/** The part of the ledger config node the report node uses. */
interface LedgerRef extends Node {
  store: LedgerStore | undefined;
  failure?: Error;
}

function pick(value: unknown, allowed: string[], fallback: string, what: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) throw new Error(`${what} must be one of ${allowed.join('/')}, got ${JSON.stringify(value)}`);
  return value;
}

/** Registers `chargeledger-report`: emits rollups (per connector/charger/site, day/week/month) on request or on a schedule. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-report', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node: Node = this; // eslint-disable-line @typescript-eslint/no-this-alias -- used in callbacks
    const ledger = RED.nodes.getNode(String(def.ledger ?? '')) as LedgerRef | null;
    const by = pick(def.by, LEVELS, 'connector', 'by') as RollupLevel;
    const period = pick(def.period, PERIODS, 'day', 'period') as RollupPeriod;
    const fields = new DefReader(def);
    const intervalS = fields.number('intervalS', 0, { label: 'Interval', unit: 's', min: 0, max: 31 * 86_400 });
    const defProblem = fields.problems.length ? new Error(`chargeledger-report: ${fields.problems.join('; ')}`) : null;
    let tz = 'UTC';
    let rollups: LevelRollups | undefined;
    const start = async (): Promise<LevelRollups> => {
      if (defProblem) throw defProblem;
      tz = checkTimeZone(def.timezone || 'UTC');
      if (!ledger) throw new Error('no chargeledger-ledger config node selected');
      const store = ledger.store;
      if (!store) throw ledger.failure ?? new Error('ledger database is not open');
      rollups = acquireRollups(store, tz);
      await store.ready;
      await rollups.attach();
      return rollups;
    };
    const ready = start();
    ready.then(() => statusOk(RED, node, 'ready'), (e: Error) => {
      statusFault(RED, node, 'noLedger');
      node.error(`rollups unavailable: ${e.message}`);
    });

    /** The newest `n` signed records still stored, newest first (for a page's sessions table after a restart). */
    const latest = async (n: number): Promise<unknown[]> => {
      const store = ledger!.store!;
      const head = await store.getHead();
      const out: unknown[] = [];
      for (let seq = head.seq; seq >= 1 && out.length < n; seq--) {
        const text = await store.getRecordText(seq);
        if (text === undefined) break; // older ones are past the retention period
        out.push(JSON.parse(text));
      }
      return out;
    };

    const emit = async (msg: NodeMessage, send: (m: NodeMessage) => void): Promise<void> => {
      const r = await ready;
      const opts = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as { by?: unknown; period?: unknown; rebuild?: unknown; force?: unknown; latest?: unknown };
      if (opts.latest !== undefined) {
        const n = opts.latest;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LATEST) throw new Error(`msg.payload.latest must be a whole number of records from 1 to ${MAX_LATEST}, got ${JSON.stringify(n)}`);
        send({ ...msg, kind: 'records', topic: 'records/latest', payload: await latest(n) });
        return;
      }
      const level = pick(opts.by, LEVELS, by, 'msg.payload.by') as RollupLevel;
      const per = pick(opts.period, PERIODS, period, 'msg.payload.period') as RollupPeriod;
      if (opts.rebuild === true) {
        statusWarn(RED, node, 'rebuilding');
        const n = await r.rebuild({ force: opts.force === true });
        node.log(`rollups rebuilt from ${n} records`);
      }
      const rows = r.rows(level, per);
      const flagged = rows.filter((x) => (x.flags ?? []).length > 0).length;
      send({ ...msg, kind: 'rollups', topic: `rollups/${level}/${per}`, payload: rows, timezone: tz });
      if (flagged > 0) statusWarn(RED, node, 'underperforming', { count: flagged });
      else statusOk(RED, node, 'rows', { count: rows.length });
    };

    onInput(node, (msg, send) => emit(msg, send as (m: NodeMessage) => void), () => statusFault(RED, node, 'error'));

    // Scheduled reports go through the same path as requests (and land in Catch on failure).
    const timer = intervalS > 0 ? setInterval(() => {
      emit({}, (m) => node.send(m)).catch((e: Error) => {
        statusFault(RED, node, 'error');
        node.error(e);
      });
    }, intervalS * 1000) : undefined;

    node.on('close', (_removed: boolean, done: () => void) => {
      if (timer) clearInterval(timer);
      if (rollups && ledger?.store) releaseRollups(rollups, ledger.store);
      done();
    });
  });
}

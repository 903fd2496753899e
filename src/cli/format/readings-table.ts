// `chargeledger read` as a table for people: one row per reading, printed as it arrives, so the
// columns have fixed widths (a value wider than its column pushes that row only).
import type { MeterReading } from '../../core/types';
import { kWhText } from './quantity';
import type { Column } from './table';

const num = (v: number | undefined): string => (typeof v === 'number' ? String(v) : '-');
const phases = (v: (number | null)[] | undefined): string => (Array.isArray(v) && v.length ? v.map((x) => (x === null ? '-' : String(x))).join(' ') : '-');
/** The controller's time of the reading, UTC, to the millisecond: "09:00:01.250Z". */
const clock = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(11) : '-');

/** The columns of the readings table (119 characters wide). */
export const READING_COLUMNS: Column<MeterReading>[] = [
  { title: 'time (UTC)', width: 13, cell: (r) => clock(r.timeMs) },
  { title: 'meter', width: 14, cell: (r) => r.meterId },
  { title: 'seq', align: 'right', width: 7, cell: (r) => String(r.seq) },
  { title: 'import kWh', align: 'right', width: 12, cell: (r) => (typeof r.energyImportWh === 'number' ? kWhText(r.energyImportWh, 3) : '-') },
  { title: 'export kWh', align: 'right', width: 10, cell: (r) => (typeof r.energyExportWh === 'number' ? kWhText(r.energyExportWh, 3) : '-') },
  { title: 'power W', align: 'right', width: 7, cell: (r) => num(r.powerW) },
  { title: 'voltage V L1 L2 L3', width: 18, cell: (r) => phases(r.voltageV) },
  { title: 'current A L1 L2 L3', width: 18, cell: (r) => phases(r.currentA) },
  { title: 'Hz', align: 'right', width: 5, cell: (r) => num(r.frequencyHz) },
];

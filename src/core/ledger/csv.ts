// One CSV row per session record, for spreadsheets and accounting: energy in Wh, times in ISO
// 8601 UTC, money left to the record's pricing (its currency is named, amounts are not split out).
import type { LedgerRecord } from './record';

/** The CSV columns, in order (the header line). */
export const SESSION_CSV_COLUMNS = ['seq', 'id', 'stationId', 'chargerId', 'connectorId', 'idTag', 'startTime', 'endTime', 'durationS', 'energyWh', 'stopReason', 'flags', 'currency', 'keyId', 'hash'] as const;

/** A cell quoted where RFC 4180 needs it. */
function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV row of one record, without the line end. */
export function sessionCsvRow(r: LedgerRecord): string {
  const s = r.session;
  const currency = r.pricing && typeof r.pricing === 'object' ? (r.pricing as { currency?: string }).currency : undefined;
  const cells: Record<(typeof SESSION_CSV_COLUMNS)[number], unknown> = {
    seq: r.seq, id: r.id, stationId: r.stationId, chargerId: s.chargerId, connectorId: s.connectorId, idTag: s.idTag,
    startTime: s.startTime, endTime: s.endTime, durationS: s.durationS, energyWh: s.energyWh, stopReason: s.stopReason,
    flags: s.flags.join(' '), currency, keyId: r.keyId, hash: r.hash,
  };
  return SESSION_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

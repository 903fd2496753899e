// One CSV row per session record, for spreadsheets and accounting: energy in Wh, times in ISO
// 8601 UTC, money as exact decimal strings in major units of `currency`, exactly as the price node
// computed and the station signed them (record.pricing; nothing is repriced). A record without
// pricing leaves the money cells empty.
import type { PricingResult } from '../tariff/result';
import type { LedgerRecord } from './record';

/** The CSV columns, in order (the header line). */
export const SESSION_CSV_COLUMNS = [
  'seq', 'id', 'stationId', 'chargerId', 'connectorId', 'idTag', 'startTime', 'endTime', 'durationS', 'energyWh', 'stopReason', 'flags',
  'currency', 'revenueExclVat', 'revenueInclVat', 'cost', 'margin', 'tariffId', 'keyId', 'hash',
] as const;

/** A cell quoted where RFC 4180 needs it. */
function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The money cells of a record's pricing (empty where the pricing does not hold them). */
function moneyCells(pricing: unknown): Partial<Record<'currency' | 'revenueExclVat' | 'revenueInclVat' | 'cost' | 'margin' | 'tariffId', string>> {
  if (!pricing || typeof pricing !== 'object') return {};
  const p = pricing as Partial<PricingResult>;
  return {
    currency: p.currency,
    revenueExclVat: p.revenue?.total?.exclVat,
    revenueInclVat: p.revenue?.total?.inclVat,
    cost: p.cost?.total?.exclVat,
    margin: p.margin,
    tariffId: p.tariffId,
  };
}

/** The CSV row of one record, without the line end. */
export function sessionCsvRow(r: LedgerRecord): string {
  const s = r.session;
  const cells: Record<(typeof SESSION_CSV_COLUMNS)[number], unknown> = {
    seq: r.seq, id: r.id, stationId: r.stationId, chargerId: s.chargerId, connectorId: s.connectorId, idTag: s.idTag,
    startTime: s.startTime, endTime: s.endTime, durationS: s.durationS, energyWh: s.energyWh, stopReason: s.stopReason,
    flags: s.flags.join(' '), currency: undefined, revenueExclVat: undefined, revenueInclVat: undefined, cost: undefined, margin: undefined,
    tariffId: undefined, ...moneyCells(r.pricing), keyId: r.keyId, hash: r.hash,
  };
  return SESSION_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

// `chargeledger sessions` as a table for people: one row per stored record with the figures a
// person looks for first. Everything else (ids, hashes, the signed OCMF) is in jsonl and csv.
import type { LedgerRecord } from '../../core/ledger/record';
import type { PricingResult } from '../../core/tariff/result';
import { durationText, kWhText } from './quantity';
import type { Column } from './table';

/** "2025-11-25T09:00:00.000Z" → "2025-11-25 09:00" (UTC, as the header says; the duration has the seconds). */
const utc = (iso: string): string => (typeof iso === 'string' ? iso.replace('T', ' ').slice(0, 16) : '');

/** The driver's total incl. VAT with its currency, or "-" for a record that was not priced. */
function totalText(pricing: unknown): string {
  const p = pricing as Partial<PricingResult> | undefined;
  const incl = p?.revenue?.total?.inclVat;
  return typeof incl === 'string' && p?.currency ? `${incl} ${p.currency}` : '-';
}

/**
 * The columns of the sessions table. At most 120 characters wide with a 7-digit seq, a
 * 999999.999 kWh session and a 99999.99 total: text columns are capped.
 */
export const SESSION_COLUMNS: Column<LedgerRecord>[] = [
  { title: 'seq', align: 'right', cell: (r) => String(r.seq) },
  { title: 'start (UTC)', cell: (r) => utc(r.session.startTime) },
  { title: 'duration', align: 'right', cell: (r) => durationText(r.session.durationS) },
  { title: 'connector', max: 10, cell: (r) => `${r.session.chargerId}/${r.session.connectorId}` },
  { title: 'idTag', max: 14, cell: (r) => (r.session.type === 'unattributed' ? '(unattributed)' : (r.session.idTag ?? '-')) },
  { title: 'kWh', align: 'right', cell: (r) => kWhText(r.session.energyWh, 3) },
  { title: 'stop', max: 12, cell: (r) => r.session.stopReason },
  { title: 'incl. VAT', align: 'right', cell: (r) => totalText(r.pricing) },
  { title: 'flags', max: 14, cell: (r) => (r.session.flags ?? []).join(',') },
];

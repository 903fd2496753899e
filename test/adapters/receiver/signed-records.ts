// Real signed, chained records (team LEDGER's sealRecord with a fresh P-256 key) for sync tests.
import { createDerSigner, generateEcKeyPair, spkiToPem } from '../../../src/adapters/crypto/ecdsa';
import { GENESIS_PREV, keyIdOf, sealRecord, type LedgerRecord } from '../../../src/core/ledger/record';
import type { OutboxEntry } from '../../../src/adapters/ports';
import type { Session } from '../../../src/core/types';

/** A station's signing identity. */
export interface StationKey {
  keyId: string;
  publicPem: string;
  sign: (data: Buffer) => Buffer;
}

/** A fresh station key. */
export function stationKey(): StationKey {
  const { privateKeyPem, publicKeySpki } = generateEcKeyPair('prime256v1');
  return { keyId: keyIdOf(publicKeySpki), publicPem: spkiToPem(publicKeySpki), sign: createDerSigner(privateKeyPem) };
}

/** A plausible finished session number n of a station. */
export function session(stationId: string, n: number): Session {
  const start = new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + n * 3_600_000);
  const end = new Date(start.getTime() + 1_800_000);
  const startWh = 100_000 + n * 10_000;
  return {
    id: `${stationId}-sess-${n}`,
    stationId,
    chargerId: 'CP1',
    connectorId: '1',
    startTime: start.toISOString(),
    endTime: end.toISOString(),
    durationS: 1800,
    chargingTimeS: 1700,
    idleTimeS: 100,
    energyWh: 5000,
    avgPowerW: 10000,
    peakPowerW: 11000,
    startReading: { energyWh: startWh, time: start.toISOString(), meterId: 'CP1-1', meterSeq: n * 100 + 1 },
    endReading: { energyWh: startWh + 5000, time: end.toISOString(), meterId: 'CP1-1', meterSeq: n * 100 + 90 },
    periods: [],
    stopReason: 'ev',
    flags: [],
  };
}

/** Records seq from..to of one station's chain (chain continues from `prev`). */
export function makeRecords(stationId: string, key: StationKey, from: number, to: number, prev = GENESIS_PREV): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  let p = prev;
  for (let seq = from; seq <= to; seq++) {
    const rec = sealRecord(
      { session: session(stationId, seq), seq, prev: p, stationId, keyId: key.keyId, createdAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString() },
      { gatewayId: 'ChargeLedger', gatewaySerial: stationId, timeStatus: 'I' },
      key.sign,
    );
    out.push(rec);
    p = rec.hash;
  }
  return out;
}

/** Outbox entries for records, as the ledger's append batch writes them. */
export function toEntries(records: LedgerRecord[]): OutboxEntry[] {
  return records.map((r) => ({ id: r.id, seq: r.seq, payload: JSON.stringify(r) }));
}

import type { Session } from '../types';
import { formatOcmfTime, type OcmfTimeStatus } from './time';

/** Who signs: the gateway (this controller) and how its clock is synchronised. */
export interface OcmfIdentity {
  /** GI: manufacturer/model of the signing system. */
  gatewayId: string;
  /** GS: serial number of the signing system (the station id by default). */
  gatewaySerial: string;
  /** GV: software version of the signing system. */
  gatewayVersion?: string;
  /** MV/MM: meter vendor and model, when known. */
  meterVendor?: string;
  meterModel?: string;
  /** Clock state written into every TM: 'I' informative unless the clock is legally synchronised. */
  timeStatus: OcmfTimeStatus;
}

/** OBIS code of the import register the readings come from (active energy import, total). */
export const IMPORT_REGISTER_OBIS = '01-00:01.08.00';

// OCMF also defines precise end codes (L, R, A, P); verifiers and backends widely expect plain E,
// and the stop reason is in the signed envelope anyway, so the end reading always says E.
const END_OF_TRANSACTION = 'E';

function identification(idTag: string | undefined): Record<string, unknown> {
  if (!idTag) return { IS: false, IL: 'NONE', IF: ['RFID_NONE', 'OCPP_NONE'], IT: 'NONE', ID: '' };
  // 4- or 7-byte hex UIDs are ISO 14443 RFID cards; anything else came from the backend.
  const rfid = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{14})$/.test(idTag);
  return {
    IS: true,
    IL: rfid ? 'HEARSAY' : 'TRUSTED',
    IF: rfid ? ['RFID_PLAIN', 'OCPP_NONE'] : ['RFID_NONE', 'OCPP_RS'],
    IT: rfid ? 'ISO14443' : 'CENTRAL',
    ID: idTag,
  };
}

/**
 * The OCMF payload object for a finished session, keys in the spec's order. `pagination` is the
 * station's record sequence number (PG "T<n>"); `extensions` are vendor fields (names starting with X).
 * Energy is written in integer Wh (RU "Wh"), exactly as the session holds it.
 */
export function buildOcmfPayload(session: Session, id: OcmfIdentity, pagination: number, extensions: Record<string, string> = {}): Record<string, unknown> {
  const payload: Record<string, unknown> = { FV: '1.0', GI: id.gatewayId, GS: id.gatewaySerial };
  if (id.gatewayVersion) payload.GV = id.gatewayVersion;
  payload.PG = `T${pagination}`;
  if (id.meterVendor) payload.MV = id.meterVendor;
  if (id.meterModel) payload.MM = id.meterModel;
  payload.MS = session.endReading.meterId;
  Object.assign(payload, identification(session.idTag));
  payload.CT = 'CBIDC';
  payload.CI = `${session.chargerId} ${session.connectorId}`;
  const reading = (r: Session['startReading'], tx: string): Record<string, unknown> => ({
    TM: formatOcmfTime(r.time, id.timeStatus),
    TX: tx,
    RV: r.energyWh,
    RI: IMPORT_REGISTER_OBIS,
    RU: 'Wh',
    RT: 'AC',
    EF: session.flags.includes('meter_stale') || session.flags.includes('meter_reset') ? 'E' : '',
    ST: 'G',
  });
  payload.RD = [reading(session.startReading, 'B'), reading(session.endReading, END_OF_TRANSACTION)];
  for (const [k, v] of Object.entries(extensions)) {
    if (!/^[U-Z]/.test(k)) throw new Error(`OCMF extension field "${k}" must start with U..Z`);
    payload[k] = v;
  }
  return payload;
}

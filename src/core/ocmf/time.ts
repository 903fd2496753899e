// OCMF time format: `2019-08-13T10:03:15,000+0000 S` (ISO 8601 with a comma before the
// milliseconds, a four-digit zone offset and a synchronisation-state letter).

/** OCMF time synchronisation state: Unknown, Informative, Synchronised, Relative. */
export type OcmfTimeStatus = 'U' | 'I' | 'S' | 'R';

/** Format an ISO 8601 instant as OCMF time in UTC with the given synchronisation state. */
export function formatOcmfTime(iso: string, status: OcmfTimeStatus): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO 8601 time: "${iso}"`);
  const s = new Date(ms).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  return `${s.slice(0, 19)},${s.slice(20, 23)}+0000 ${status}`;
}

const OCMF_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}),(\d{3})([+-])(\d{2})(\d{2})(?: ([UISR]))?$/;

/** Parse OCMF time into an ISO 8601 UTC instant and its state letter; null when malformed. */
export function parseOcmfTime(text: string): { iso: string; status: OcmfTimeStatus | null } | null {
  const m = OCMF_TIME.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}.${m[2]}${m[3]}${m[4]}:${m[5]}`);
  if (Number.isNaN(ms)) return null;
  return { iso: new Date(ms).toISOString(), status: (m[6] as OcmfTimeStatus | undefined) ?? null };
}

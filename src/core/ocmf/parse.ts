// Splitting an OCMF string into its sections without re-serialising anything: the signature
// covers the payload bytes exactly as transmitted, so the payload text is kept verbatim.

/** The signature section's known fields (others are kept in `signature`). */
export interface OcmfSignature {
  SA?: string;
  SE?: string;
  SM?: string;
  SD: string;
  [key: string]: unknown;
}

/** One parsed OCMF string. */
export interface ParsedOcmf {
  /** The payload JSON text exactly as transmitted: the signed bytes (as UTF-8). */
  payloadText: string;
  payload: Record<string, unknown>;
  signatureText: string;
  signature: OcmfSignature;
}

/** End index (exclusive) of the JSON object starting at `start`, honouring strings and escapes. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Parse `OCMF|<payload>|<signature>`; throws an Error naming what is wrong. */
export function parseOcmf(text: string): ParsedOcmf {
  if (!text.startsWith('OCMF|')) throw new Error('not an OCMF string: must start with "OCMF|"');
  const start = 5;
  // Whitespace before the payload's "{" belongs to the transmitted payload; keep it.
  const brace = text.indexOf('{', start);
  if (brace < 0 || text.slice(start, brace).trim() !== '') throw new Error('OCMF payload section is not a JSON object');
  const end = objectEnd(text, brace);
  if (end < 0) throw new Error('OCMF payload section is not terminated');
  const sep = text.indexOf('|', end);
  if (sep < 0 || text.slice(end, sep).trim() !== '') throw new Error('OCMF signature section is missing');
  const payloadText = text.slice(start, sep);
  const signatureText = text.slice(sep + 1);
  let payload: unknown;
  let signature: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch (e) {
    throw new Error(`OCMF payload is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  try {
    signature = JSON.parse(signatureText);
  } catch (e) {
    throw new Error(`OCMF signature section is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('OCMF payload is not a JSON object');
  if (!signature || typeof signature !== 'object' || typeof (signature as OcmfSignature).SD !== 'string') {
    throw new Error('OCMF signature section has no SD string');
  }
  return { payloadText, payload: payload as Record<string, unknown>, signatureText, signature: signature as OcmfSignature };
}

/** Assemble an OCMF string from an exact payload text and a signature section object. */
export function formatOcmf(payloadText: string, signature: OcmfSignature): string {
  return `OCMF|${payloadText}|${JSON.stringify(signature)}`;
}

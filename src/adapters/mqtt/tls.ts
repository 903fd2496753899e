// TLS material for the uplink: CA, client certificate and key read from paths (mutual TLS).
import { readFileSync } from 'node:fs';

/** Paths to PEM files; any may be absent. */
export interface TlsPaths {
  /** CA bundle that signed the broker's certificate. */
  caPath?: string;
  /** Client certificate for mutual TLS. */
  certPath?: string;
  /** Client private key for mutual TLS. */
  keyPath?: string;
  /** Verify the broker's certificate (default true; false only for lab setups). */
  rejectUnauthorized?: boolean;
}

/** mqtt.js / tls.connect options for the given paths; a missing or unreadable file is a clear error. */
export function tlsOptions(p: TlsPaths): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
  const read = (path: string | undefined, what: string): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`cannot read TLS ${what} "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  };
  if (Boolean(p.certPath) !== Boolean(p.keyPath)) throw new Error('mutual TLS needs both a client certificate and its key');
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } = { rejectUnauthorized: p.rejectUnauthorized !== false };
  const ca = read(p.caPath, 'CA');
  const cert = read(p.certPath, 'certificate');
  const key = read(p.keyPath, 'key');
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  return out;
}

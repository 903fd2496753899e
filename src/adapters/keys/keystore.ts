import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file';
import { keyIdOf } from '../../core/ledger/record';
import { createDerSigner, generateEcKeyPair, publicSpkiOf, spkiToPem, type DerSigner } from '../crypto/ecdsa';

/**
 * The station's signing keys on disk, in `<dir>`:
 *   `<keyId>.key`      PKCS#8 PEM private key, mode 0600 (only the current key is kept)
 *   `<keyId>.pub.pem`  SPKI PEM public key (every key ever used, for verifying old records)
 *   `current`          the current key id
 * The private key never leaves this module except inside a signing closure.
 */
export interface StationKeys {
  keyId: string;
  /** Signs with the current key (DER). */
  sign: DerSigner;
  /** SPKI DER of the current public key. */
  publicKeySpki: Buffer;
}

const CURRENT = 'current';

function createKey(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKeyPem, publicKeySpki } = generateEcKeyPair('prime256v1');
  const keyId = keyIdOf(publicKeySpki);
  writeFileAtomic(path.join(dir, `${keyId}.key`), privateKeyPem, 0o600);
  writeFileAtomic(path.join(dir, `${keyId}.pub.pem`), spkiToPem(publicKeySpki), 0o644);
  writeFileAtomic(path.join(dir, CURRENT), `${keyId}\n`, 0o644);
  return keyId;
}

/** Load the current key, generating the first one when the directory holds none. */
export function loadOrCreateKeys(dir: string): StationKeys {
  const currentFile = path.join(dir, CURRENT);
  const keyId = existsSync(currentFile) ? readFileSync(currentFile, 'utf8').trim() : createKey(dir);
  if (!/^[0-9a-f]{16}$/.test(keyId)) throw new Error(`key store ${dir}: "current" does not name a key id`);
  const keyFile = path.join(dir, `${keyId}.key`);
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch {
    throw new Error(`key store ${dir}: private key for ${keyId} is missing`);
  }
  let publicKeySpki: Buffer;
  try {
    publicKeySpki = publicSpkiOf(pem);
  } catch {
    throw new Error(`key store ${dir}: private key for ${keyId} is unreadable`); // never echo the key text
  }
  if (keyIdOf(publicKeySpki) !== keyId) throw new Error(`key store ${dir}: key file does not match key id ${keyId}`);
  return { keyId, sign: createDerSigner(pem), publicKeySpki };
}

/** Generate a new current key; the old private key is deleted, its public key kept. */
export function rotateKey(dir: string): string {
  const old = existsSync(path.join(dir, CURRENT)) ? readFileSync(path.join(dir, CURRENT), 'utf8').trim() : null;
  const keyId = createKey(dir);
  if (old && old !== keyId) {
    try {
      unlinkSync(path.join(dir, `${old}.key`));
    } catch {
      // already gone
    }
  }
  return keyId;
}

/** Every public key in the store, PEM by key id (for verifying records signed before a rotation). */
export function listPublicKeys(dir: string): Map<string, string> {
  const keys = new Map<string, string>();
  if (!existsSync(dir)) return keys;
  for (const name of readdirSync(dir)) {
    const m = /^([0-9a-f]{16})\.pub\.pem$/.exec(name);
    if (m) keys.set(m[1], readFileSync(path.join(dir, name), 'utf8'));
  }
  return keys;
}

/** The current key id, or null when no key exists yet. */
export function currentKeyId(dir: string): string | null {
  const file = path.join(dir, CURRENT);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

// The backend's ack key: the receiver signs acks with its private half; stations verify with the public half.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ackSignedText, type AckAuth } from '../../core/sync/ack';
import type { AckSignatureCheck } from '../../core/sync/ack-auth';
import { keyIdOf } from '../../core/ledger/record';
import { writeFileAtomic } from '../fs/atomic-file';
import { generateEcKeyPair, spkiToPem } from './ecdsa';

/** Signs the acks for one station at a time. */
export type AckSigner = (stationId: string, ids: string[], nowMs?: number) => AckAuth;

/** An ack signer for a PKCS#8 PEM EC private key (P-256). */
export function createAckSigner(privateKeyPem: string): AckSigner {
  const key = createPrivateKey(privateKeyPem);
  const keyId = keyIdOf(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return (stationId, ids, nowMs = Date.now()) => ({ stationId, ts: nowMs, keyId, sig: sign('sha256', Buffer.from(ackSignedText(stationId, nowMs, ids)), { key, dsaEncoding: 'der' }).toString('base64') });
}

/**
 * The backend's ack key at `file` (PKCS#8 PEM), created with its public half beside it
 * (`<file>.pub.pem`, which the stations are given) when it does not exist yet.
 */
export function loadOrCreateAckKey(file: string): { signer: AckSigner; publicKeyFile: string; created: boolean } {
  const publicKeyFile = `${file.replace(/\.pem$/, '')}.pub.pem`;
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const kp = generateEcKeyPair('prime256v1');
    writeFileAtomic(file, kp.privateKeyPem, 0o600);
    writeFileAtomic(publicKeyFile, spkiToPem(kp.publicKeySpki));
    created = true;
  }
  const pem = readFileSync(file, 'utf8');
  if (!existsSync(publicKeyFile)) writeFileAtomic(publicKeyFile, spkiToPem(createPublicKey(createPrivateKey(pem)).export({ format: 'der', type: 'spki' })));
  return { signer: createAckSigner(pem), publicKeyFile, created };
}

/**
 * The backend's public keys from a PEM file, or every `*.pem` in a directory (so a rotated key
 * and its successor can both be trusted during the change-over). Throws with the reason when
 * nothing usable is there.
 */
export function loadAckPublicKeys(fileOrDir: string): KeyObject[] {
  if (!existsSync(fileOrDir)) throw new Error(`backend ack key ${fileOrDir} does not exist`);
  const files = statSync(fileOrDir).isDirectory()
    ? readdirSync(fileOrDir)
        .filter((f) => f.endsWith('.pem'))
        .map((f) => path.join(fileOrDir, f))
    : [fileOrDir];
  const keys: KeyObject[] = [];
  for (const f of files) {
    try {
      const key = createPublicKey(readFileSync(f, 'utf8'));
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not an EC P-256 key');
      keys.push(key);
    } catch (e) {
      throw new Error(`backend ack key ${f}: ${(e as Error).message}`, { cause: e });
    }
  }
  if (keys.length === 0) throw new Error(`no backend ack key (*.pem) in ${fileOrDir}`);
  return keys;
}

/** A signature check that accepts a signature by any of the keys. */
export function ackSignatureCheck(keys: KeyObject[]): AckSignatureCheck {
  return (text, sigBase64) => {
    const sig = Buffer.from(sigBase64, 'base64');
    if (sig.length === 0 || sig.length > 80) return false;
    const data = Buffer.from(text);
    return keys.some((key) => {
      try {
        return verify('sha256', data, { key, dsaEncoding: 'der' }, sig);
      } catch {
        return false;
      }
    });
  };
}

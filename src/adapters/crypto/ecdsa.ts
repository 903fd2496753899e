import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { EcdsaVerifier } from '../../core/ocmf/verify';

/**
 * ECDSA verification with node:crypto (OpenSSL). OpenSSL truncates the SHA-256 digest to the
 * curve order's bit length, which is what OCMF's 192-bit curves expect.
 */
export const nodeEcdsaVerifier: EcdsaVerifier = (spki, data, rs) => {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, rs);
  } catch {
    return false; // a point not on the curve, or a malformed key: not a valid signature
  }
};

/** Signs bytes and returns the DER signature; the private key stays inside the closure. */
export type DerSigner = (data: Buffer) => Buffer;

/** A SHA-256 ECDSA signer (DER output) for a PKCS#8 PEM private key. */
export function createDerSigner(privateKeyPem: string): DerSigner {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  return (data) => sign('sha256', data, { key, dsaEncoding: 'der' });
}

/** A fresh key pair on the given OpenSSL curve: PKCS#8 PEM private key and SPKI DER public key. */
export function generateEcKeyPair(opensslCurve = 'prime256v1'): { privateKeyPem: string; publicKeySpki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: opensslCurve });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeySpki: publicKey.export({ format: 'der', type: 'spki' }),
  };
}

/** SPKI DER of the public half of a PKCS#8 PEM private key. */
export function publicSpkiOf(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'der', type: 'spki' });
}

/** PEM text of an SPKI DER public key. */
export function spkiToPem(spki: Buffer): string {
  return createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
}

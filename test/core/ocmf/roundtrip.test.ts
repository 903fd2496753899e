import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDerSigner } from '../../../src/adapters/crypto/ecdsa';
import { curveByName, parseSpki } from '../../../src/core/ocmf/curves';
import { signOcmf } from '../../../src/core/ocmf/sign';
import { verifyOcmf } from '../../../src/core/ocmf/verify';
import { derFromRs, decodeSignature } from '../../../src/core/ocmf/signature';
import { parseOcmf, formatOcmf } from '../../../src/core/ocmf/parse';
import { nodeEcdsaVerifier } from '../../../src/adapters/crypto/ecdsa';
import keys from '../../fixtures/ocmf/ocmf_js_test_private_keys.json';

const payload = { FV: '1.0', GI: 'ChargeLedger', GS: 'ST1', PG: 'T1', MS: 'CP1-1', IS: false, IT: 'NONE', RD: [{ TM: '2025-11-25T08:00:00,000+0000 I', TX: 'B', RV: 1000, RI: '01-00:01.08.00', RU: 'Wh' }] };

describe('sign → verify round trips with the ocmf-js public test keys', () => {
  for (const k of keys.keys) {
    it(`${k.label}`, () => {
      const priv = createPrivateKey({ key: Buffer.from(k.pkcs8_der_hex, 'hex'), format: 'der', type: 'pkcs8' });
      const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
      // Trust the key's OID, not the upstream label (two labels are swapped upstream).
      const curve = parseSpki(spki).curve!;
      expect(curve).toBeDefined();
      const sign = createDerSigner(priv.export({ format: 'pem', type: 'pkcs8' }).toString());
      const ocmf = signOcmf(payload, sign, `ECDSA-${curve.name}-SHA256`);
      const spkiHex = spki.toString('hex').toUpperCase();
      expect(verifyOcmf(ocmf, spkiHex, nodeEcdsaVerifier).verdict).toBe('valid');
      // Other key forms: base64 SPKI, PEM, raw point with and without 04.
      const point = Buffer.from(parseSpki(spki).point);
      expect(verifyOcmf(ocmf, spki.toString('base64'), nodeEcdsaVerifier).verdict).toBe('valid');
      expect(verifyOcmf(ocmf, createPublicKey(priv).export({ format: 'pem', type: 'spki' }).toString(), nodeEcdsaVerifier).verdict).toBe('valid');
      expect(verifyOcmf(ocmf, point.toString('hex'), nodeEcdsaVerifier).verdict).toBe('valid');
      expect(verifyOcmf(ocmf, point.subarray(1).toString('hex'), nodeEcdsaVerifier).verdict).toBe('valid');
      // base64 signature encoding, and raw r||s (non-standard) of the same signature.
      const parsed = parseOcmf(ocmf);
      const der = Buffer.from(parsed.signature.SD, 'hex');
      const b64 = formatOcmf(parsed.payloadText, { ...parsed.signature, SD: der.toString('base64'), SE: 'base64' });
      expect(verifyOcmf(b64, spkiHex, nodeEcdsaVerifier).verdict).toBe('valid');
      const rs = decodeSignature(der, curve.fieldBytes)!;
      expect(rs.form).toBe('der');
      expect(derFromRs(rs.rs).equals(der)).toBe(true);
      const raw = formatOcmf(parsed.payloadText, { ...parsed.signature, SD: rs.rs.toString('hex') });
      expect(verifyOcmf(raw, spkiHex, nodeEcdsaVerifier).verdict).toBe('valid-nonstandard');
      // One changed byte in the payload fails.
      const tampered = ocmf.replace('"RV":1000', '"RV":1001');
      expect(verifyOcmf(tampered, spkiHex, nodeEcdsaVerifier).verdict).toBe('invalid');
    });
  }

  it('accepts both brainpool spellings in SA', () => {
    expect(curveByName('brainpool256r1')?.name).toBe('brainpoolP256r1');
    expect(curveByName('brainpoolP384r1')?.name).toBe('brainpoolP384r1');
    expect(curveByName('prime256v1')?.name).toBe('secp256r1');
  });
});

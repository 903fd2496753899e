// A backend ack key for tests: the receiver signs with it, the station's uplink is given its public half.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateAckKey, type AckSigner } from '../../src/adapters/crypto/ack-keys';

/** A fresh backend ack key in a temp dir: `signer` for the receiver, `publicKeyFile` for the uplink's `ackKey`. */
export function testAckKey(): { signer: AckSigner; publicKeyFile: string; privateKeyFile: string } {
  const privateKeyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'cl-ackkey-')), 'ack-key.pem');
  const k = loadOrCreateAckKey(privateKeyFile);
  return { signer: k.signer, publicKeyFile: k.publicKeyFile, privateKeyFile };
}

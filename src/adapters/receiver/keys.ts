// Station public keys for the receiver: one PEM/hex/base64 SPKI file, or a directory of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodePublicKey } from '../../core/ocmf/public-key';
import { keyIdOf } from '../../core/ledger/record';

/**
 * Load public keys by key id from a file, or from every file in a directory that holds one (a
 * station's keys directory also holds its private key, which is skipped). Throws naming the bad
 * file for a single file, or when a directory holds no public key at all.
 */
export function loadPublicKeys(fileOrDir: string): Map<string, string> {
  const isDir = statSync(fileOrDir).isDirectory();
  const files = isDir
    ? readdirSync(fileOrDir)
        .filter((f) => !f.startsWith('.'))
        .map((f) => path.join(fileOrDir, f))
        .filter((f) => statSync(f).isFile())
    : [fileOrDir];
  const keys = new Map<string, string>();
  const skipped: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8').trim();
    try {
      if (text.includes('PRIVATE KEY')) throw new Error('this is a private key');
      keys.set(keyIdOf(decodePublicKey(text).spki), text);
    } catch (e) {
      if (!isDir) throw new Error(`${file}: not a public key: ${(e as Error).message}`, { cause: e });
      skipped.push(path.basename(file));
    }
  }
  if (keys.size === 0) throw new Error(`no public keys in ${fileOrDir}${skipped.length ? ` (not keys: ${skipped.join(', ')})` : ''}`);
  return keys;
}

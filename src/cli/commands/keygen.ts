import { homedir } from 'node:os';
import path from 'node:path';
import { spkiToPem } from '../../adapters/crypto/ecdsa';
import { currentKeyId, listPublicKeys, loadOrCreateKeys, rotateKey } from '../../adapters/keys/keystore';
import { resolveStationDir } from '../../adapters/store/station';
import { spkiHex, decodePublicKey } from '../../core/ocmf/public-key';
import { parseOptions, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger keygen [--data DIR] [--station ID] [--show] [--rotate]

Create the station's signing key (ECDSA secp256r1) if there is none, show its public key, or
rotate it. Keys live in <station dir>/keys: the private key file has mode 0600 and is never
printed. After --rotate, restart Node-RED so that new records are signed with the new key; the old
public keys stay for verifying older records (every record names its key id).

  --data DIR     the station directory (<data dir>/<station id>), or a data dir with --station
                 or with exactly one station (default ~/.node-red/chargeledger)
  --station ID   the station inside the data dir
  --show         print the key id, the public key as PEM and as OCMF hex SPKI, and older key ids
  --rotate       generate a new key; the old private key is deleted, its public key kept

Exit: 0 ok, 1 failure, 2 usage error.`;

/** `chargeledger keygen`: create, show or rotate the station signing key. */
export default {
  summary: 'create, show or rotate the station signing key',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, show: { type: 'boolean' }, rotate: { type: 'boolean' } });
    const stationDir = resolveStationDir(values.data ?? path.join(homedir(), '.node-red', 'chargeledger'), values.station);
    const keysDir = path.join(stationDir, 'keys');
    const before = currentKeyId(keysDir);
    if (values.rotate) {
      const keyId = rotateKey(keysDir);
      io.stdout(`rotated: new key ${keyId}${before ? ` replaces ${before}` : ''} (restart Node-RED to sign with it)\n`);
    } else if (!before) {
      io.stdout(`created key ${loadOrCreateKeys(keysDir).keyId} in ${keysDir}\n`);
    } else if (!values.show) {
      io.stdout(`key ${before} exists in ${keysDir} (use --show to print the public key)\n`);
    }
    if (values.show) {
      const keys = loadOrCreateKeys(keysDir);
      io.stdout(`key id: ${keys.keyId}\n\n${spkiToPem(keys.publicKeySpki)}\nOCMF public key (hex SPKI):\n${spkiHex(keys.publicKeySpki)}\n`);
      const older = [...listPublicKeys(keysDir).entries()].filter(([id]) => id !== keys.keyId);
      for (const [id, pem] of older) io.stdout(`\nolder key ${id} (verification only): ${spkiHex(decodePublicKey(pem).spki)}\n`);
    }
    return 0;
  },
} satisfies Command;

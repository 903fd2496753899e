import { spkiToPem } from '../../adapters/crypto/ecdsa';
import { currentKeyId, listPublicKeys, loadOrCreateKeys, rotateKey } from '../../adapters/keys/keystore';
import { spkiHex, decodePublicKey } from '../../core/ocmf/public-key';
import { describeDataDir, keysDirOf, lookupStation, WHERE_HINT } from '../data-dir';
import { parseOptions, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger keygen [--data DIR] [--station ID] [--show] [--rotate]

Create the station's signing key (ECDSA secp256r1) if there is none, show its public key, or
rotate it. Keys live in <data dir>/<station id>/keys, exactly where the running station signs
with them: the private key file has mode 0600 and is never printed. After --rotate, restart
Node-RED so that new records are signed with the new key; the old public keys stay for
verifying older records (every record names its key id).

  --data DIR     the data dir, or one station directory (<data dir>/<station id>).
                 Default: CHARGELEDGER_DATA_DIR, else ./data (as npm start)
  --station ID   the station inside the data dir. Default: CHARGELEDGER_STATION_ID, else the
                 data dir's only station, else station-1 (as npm start)
  --show         print the key id, the public key as PEM and as OCMF hex SPKI, and older key
                 ids. Read-only: where no key exists it says so and exits 1
  --rotate       generate a new key; the old private key is deleted, its public key kept

Exit: 0 ok, 1 failure (or no key to show), 2 usage error.`;

/** `chargeledger keygen`: create, show or rotate the station signing key. */
export default {
  summary: 'create, show or rotate the station signing key',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, { data: { type: 'string' }, station: { type: 'string' }, show: { type: 'boolean' }, rotate: { type: 'boolean' } });
    const found = lookupStation({ data: values.data, station: values.station });
    const keysDir = keysDirOf(found.stationDir);
    const before = currentKeyId(keysDir);
    if (values.rotate) {
      const keyId = rotateKey(keysDir);
      io.stdout(`rotated: new key ${keyId}${before ? ` replaces ${before}` : ''} in ${keysDir} (restart Node-RED to sign with it)\n`);
    } else if (values.show) {
      // Read-only: printing a freshly made key would hand out a key the station never signs with.
      if (!before) {
        io.stderr(`no signing key in ${keysDir} (data dir ${describeDataDir(found.data)}).\nIf the station runs elsewhere: ${WHERE_HINT}.\nElse start the station once, or run \`chargeledger keygen\` with the same --data/--station to create it.\n`);
        return 1;
      }
    } else if (!before) {
      io.stdout(`created key ${loadOrCreateKeys(keysDir).keyId} in ${keysDir}\n`);
    } else {
      io.stdout(`key ${before} exists in ${keysDir} (use --show to print the public key)\n`);
    }
    if (values.show) {
      const keys = loadOrCreateKeys(keysDir); // the key exists here: this only loads it
      io.stdout(`key id: ${keys.keyId}\nkey dir: ${keysDir}\n\n${spkiToPem(keys.publicKeySpki)}\nOCMF public key (hex SPKI):\n${spkiHex(keys.publicKeySpki)}\n`);
      const older = [...listPublicKeys(keysDir).entries()].filter(([id]) => id !== keys.keyId);
      for (const [id, pem] of older) io.stdout(`\nolder key ${id} (verification only): ${spkiHex(decodePublicKey(pem).spki)}\n`);
    }
    return 0;
  },
} satisfies Command;

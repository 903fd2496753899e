import { existsSync, readFileSync, statSync } from 'node:fs';
import { verifyOcmfString } from '../../adapters/crypto/ledger';
import { checkJsonlChain, checkStationChain, type ChainReport } from '../../adapters/store/verify-chain';
import { listPublicKeys } from '../../adapters/keys/keystore';
import { loadPublicKeys } from '../../adapters/receiver/keys';
import { recordsFromExportFile } from '../../adapters/store/export';
import { keyIdOf } from '../../core/ledger/record';
import { formatProblem } from '../../core/ledger/problems';
import { decodePublicKey } from '../../core/ocmf/public-key';
import { describeDataDir, isLevelDb, keysDirOf, ledgerDirOf, lookupStation, requireStation } from '../data-dir';
import { UsageError, parseOptions, type CliIO, type Command } from '../usage';

const usage = `Usage:
  chargeledger verify --ocmf STRING --pubkey KEY [--json] [--strict]
  chargeledger verify --file FILE --pubkey KEY [--json] [--strict]
  chargeledger verify --chain DIR|FILE.jsonl [--pubkey KEY|DIR]... [--data DIR] [--station ID] [--json]

Verify one OCMF string (OCMF|payload|signature), or a whole ledger: every record's signature,
the seq continuity and the prev links. Each problem is named: deleted, reordered, duplicated,
altered, bad-signature, unknown-key, malformed.

  --ocmf STRING   the OCMF string (quote it)
  --file FILE     a file holding the OCMF string (surrounding whitespace is ignored)
  --pubkey KEY    public key, or a file holding it: SPKI DER as hex (spaces allowed) or base64,
                  PEM, or a raw point in hex (04||X||Y, or X||Y with the curve taken from SA).
                  With --chain also a keys directory (<station dir>/keys) or a station directory,
                  which give every key the station used; repeat for more keys. Default: the keys
                  of the station (the ledger's own station for a DIR; for a FILE the station that
                  --data / CHARGELEDGER_DATA_DIR / ./data and --station lead to).
  --chain PATH    a station directory (<data dir>/<station id>), a data dir (see --station),
                  or a JSON-lines export: the ledger node's Sessions "JSON lines" download or
                  \`chargeledger sessions --format jsonl\`. Read-only.
  --data DIR      with --chain FILE and no --pubkey: where to find the station's keys
  --station ID    the station inside a data dir (default CHARGELEDGER_STATION_ID, else the
                  only one)
  --json          print the parsed payload and the verdict as JSON
  --strict        treat non-standard signature encodings (raw r||s, non-minimal DER) as invalid

Curves: secp256r1 (default), secp256k1, secp384r1, brainpoolP256r1/brainpool256r1,
brainpoolP384r1/brainpool384r1, secp192r1, secp192k1 (192-bit curves: SHA-256 truncated to 192 bits).
Policy: raw r||s and DER with needless leading zeros verify as "valid-nonstandard" (exit 0, with a
warning) because real meters send them; --strict makes them invalid.

Exit: 0 valid, 1 invalid, 2 usage error.`;

function keyText(value: string): string {
  // A path to a key file, or the key itself (hex, base64 or PEM).
  return value.length < 4096 && !value.includes('-----') && existsSync(value) && statSync(value).isFile() ? readFileSync(value, 'utf8') : value;
}

async function verifyOne(ocmf: string, key: string, json: boolean, strict: boolean, io: CliIO): Promise<number> {
  const r = verifyOcmfString(ocmf, key, { strict });
  const ok = r.verdict !== 'invalid';
  if (json) {
    io.stdout(`${JSON.stringify({ verdict: r.verdict, valid: ok, curve: r.curve ?? null, signatureForm: r.signatureForm ?? null, errors: r.errors, warnings: r.warnings, payload: r.parsed?.payload ?? null }, null, 2)}\n`);
  } else if (ok) {
    io.stdout(`${r.verdict} (${r.curve}, ${r.signatureForm === 'der' ? 'DER' : r.signatureForm})\n`);
    for (const w of r.warnings) io.stdout(`warning: ${w}\n`);
  } else {
    io.stdout(`INVALID: ${r.errors.join('; ')}\n`);
  }
  return ok ? 0 : 1;
}

/** Public keys from --pubkey values: a key, a key file, a keys directory or a station directory. */
function keysFrom(values: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const v of values) {
    if (v.length < 4096 && existsSync(v) && statSync(v).isDirectory()) {
      // A station directory holds its keys in keys/; a keys directory holds them directly.
      const dir = existsSync(keysDirOf(v)) ? keysDirOf(v) : v;
      let found: Map<string, string>;
      try {
        found = loadPublicKeys(dir);
      } catch (e) {
        throw new UsageError(`--pubkey: ${(e as Error).message}`);
      }
      for (const [id, pem] of found) keys.set(id, pem);
      continue;
    }
    const text = keyText(v);
    let spki: Buffer;
    try {
      spki = decodePublicKey(text).spki;
    } catch (e) {
      throw new UsageError(`--pubkey: ${(e as Error).message}`);
    }
    keys.set(keyIdOf(spki), text);
  }
  return keys;
}

/** The station id named by the first record of an export, if it has one. */
async function firstStationId(file: string): Promise<string | undefined> {
  try {
    for await (const r of recordsFromExportFile(file)) return typeof r.stationId === 'string' ? r.stationId : undefined;
  } catch {
    // Not an export: the chain check reports the file's lines itself.
  }
  return undefined;
}

/**
 * The keys of the station found by --data/CHARGELEDGER_DATA_DIR/./data, for an export given
 * without --pubkey. In a data dir with several stations, the export's own station id picks one.
 */
async function stationKeys(file: string, data: string | undefined, station: string | undefined): Promise<Map<string, string>> {
  let found;
  try {
    found = lookupStation({ data, station });
  } catch (e) {
    const own = station ? undefined : await firstStationId(file);
    if (!own) throw e;
    found = lookupStation({ data, station: own });
  }
  const dir = keysDirOf(found.stationDir);
  const keys = found.found ? listPublicKeys(dir) : new Map<string, string>();
  if (keys.size === 0) throw new UsageError(`--chain FILE needs --pubkey KEY|DIR: no station keys in ${dir} (data dir ${describeDataDir(found.data)})`);
  return keys;
}

async function verifyChain(target: string, opts: { pubkeys: string[]; data?: string; station?: string; json: boolean }, io: CliIO): Promise<number> {
  const keys = opts.pubkeys.length > 0 ? keysFrom(opts.pubkeys) : undefined;
  let report: ChainReport;
  if (existsSync(target) && statSync(target).isFile()) {
    report = await checkJsonlChain(target, keys ?? (await stationKeys(target, opts.data, opts.station)));
  } else {
    if (!existsSync(target)) throw new UsageError(`--chain: ${target} does not exist`);
    const found = requireStation({ data: target, station: opts.station });
    if (!isLevelDb(ledgerDirOf(found.stationDir))) throw new Error(`no ledger database in ${found.stationDir}`);
    report = await checkStationChain(found.stationDir, keys);
  }
  if (opts.json) io.stdout(`${JSON.stringify({ valid: report.problems.length === 0, checked: report.checked, problems: report.problems }, null, 2)}\n`);
  else {
    for (const p of report.problems) io.stdout(`${formatProblem(p)}\n`);
    io.stdout(`${report.checked} records checked, ${report.problems.length === 0 ? 'chain intact' : `${report.problems.length} problems`}\n`);
  }
  return report.problems.length === 0 ? 0 : 1;
}

/** `chargeledger verify`: one OCMF string, or a whole ledger chain. */
export default {
  summary: 'verify an OCMF string or a whole ledger chain',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions(argv, {
      ocmf: { type: 'string' },
      file: { type: 'string' },
      chain: { type: 'string' },
      pubkey: { type: 'string', multiple: true },
      station: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      strict: { type: 'boolean' },
    });
    const modes = ['ocmf', 'file', 'chain'].filter((m) => values[m as 'ocmf'] !== undefined);
    if (modes.length !== 1) throw new UsageError('give exactly one of --ocmf, --file or --chain');
    const pubkeys = values.pubkey ?? [];
    if (values.chain !== undefined) return verifyChain(values.chain, { pubkeys, data: values.data, station: values.station, json: values.json ?? false }, io);
    if (pubkeys.length !== 1) throw new UsageError('--pubkey KEY is required (once) with --ocmf or --file');
    let ocmf = values.ocmf;
    if (values.file !== undefined) {
      try {
        ocmf = readFileSync(values.file, 'utf8').trim();
      } catch (e) {
        throw new UsageError(`--file: ${(e as Error).message}`);
      }
    }
    return verifyOne(ocmf!, keyText(pubkeys[0]), values.json ?? false, values.strict ?? false, io);
  },
} satisfies Command;

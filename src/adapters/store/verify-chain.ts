import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { RecordProblem } from '../../core/ledger/problems';
import type { PublicKeys } from '../../core/ledger/verify';
import { createChainChecker } from '../crypto/ledger';
import { listPublicKeys } from '../keys/keystore';
import { prunedAnchor, recordTexts } from './query';
import { openStationForReading } from './station';

/** The outcome of checking a whole ledger or export. */
export interface ChainReport {
  checked: number;
  problems: RecordProblem[];
}

function parseLine(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { malformed: where };
  }
}

/**
 * Check every record of a station's LevelDB ledger (in `<stationDir>/ledger`) against the public
 * keys in `<stationDir>/keys` (or `keys` when given). Also compares the last record with the stored
 * head, so that deleting the newest records is detected too.
 */
export async function checkStationChain(stationDir: string, keys?: PublicKeys): Promise<ChainReport> {
  const dbPath = path.join(stationDir, 'ledger');
  if (!existsSync(dbPath)) throw new Error(`no ledger database in ${stationDir}`);
  const store = await openStationForReading(dbPath);
  try {
    const checker = createChainChecker(keys ?? listPublicKeys(path.join(stationDir, 'keys')), await prunedAnchor(store));
    const problems: RecordProblem[] = [];
    for await (const { seq, text } of recordTexts(store)) problems.push(...checker.push(parseLine(text, `seq ${seq}`)));
    problems.push(...checker.finish());
    const head = await store.getHead();
    if (head.seq > checker.lastSeq) {
      const from = checker.lastSeq + 1;
      const what = from === head.seq ? `record seq ${from} is missing` : `records seq ${from}..${head.seq} are missing`;
      problems.push({ kind: 'deleted', seq: from, id: null, message: `${what} (the head says ${head.seq})` });
    }
    return { checked: checker.checked, problems };
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Check a JSON-lines export (one record per line, in file order). */
export async function checkJsonlChain(file: string, keys: PublicKeys): Promise<ChainReport> {
  const checker = createChainChecker(keys);
  const problems: RecordProblem[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const found = checker.push(parseLine(line, `line ${n}`));
    for (const p of found) problems.push(p.seq === null ? { ...p, message: `line ${n}: ${p.message}` } : p);
  }
  problems.push(...checker.finish());
  return { checked: checker.checked, problems };
}

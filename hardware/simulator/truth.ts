// The simulator's ground truth (`--truth FILE.jsonl`): one JSON line per finished visit, appended
// and fsynced, so a test can check the station's records against what the meters really counted.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FinishedVisit } from './connector';

/** An append-only, fsynced JSONL file of finished visits. */
export class TruthFile {
  private fd: number | null;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  /** Append the visits, one line each, and fsync before returning. */
  append(visits: FinishedVisit[]): void {
    if (visits.length === 0 || this.fd === null) return;
    const buf = Buffer.from(visits.map((v) => `${JSON.stringify(v)}\n`).join(''));
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    fsyncSync(this.fd);
  }

  /** Close the file. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

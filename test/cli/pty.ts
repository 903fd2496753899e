// Run the real bin/chargeledger.js (built dist) with its standard output on a real
// pseudo-terminal: util-linux `script` gives the command a pty, so `process.stdout.isTTY` is
// true exactly as for a person at a terminal. Standard error goes to a file, kept apart. The
// pty turns "\n" into "\r\n"; that is undone.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN } from './bin';

/** Quote one argument for the shell `script -c` runs. */
const sh = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** What a run on a terminal gave back. */
export interface PtyResult {
  code: number | null;
  out: string;
  err: string;
}

/** Spawn `chargeledger ...argv` with stdout on a pty; `onSpawn` gets a kill function (for runs that wait). */
export function runOnPty(argv: string[], opts: { onSpawn?: (kill: () => void) => void } = {}): Promise<PtyResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-pty-'));
  const errFile = path.join(dir, 'stderr');
  const cmd = `${[process.execPath, BIN, ...argv].map(sh).join(' ')} 2>${sh(errFile)}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHARGELEDGER_')));
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    opts.onSpawn?.(() => child.kill('SIGKILL'));
    child.on('close', (code) => {
      let err = '';
      try {
        err = readFileSync(errFile, 'utf8');
      } catch {
        // the command never started
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, out: out.replace(/\r\n/g, '\n'), err });
    });
  });
}

/**
 * Split table lines into cells at the blank stripes (2+ character positions blank in EVERY
 * line). The stripes are the column gaps only when every row has the same column starts; a
 * misaligned row breaks a stripe and the table yields fewer columns.
 */
export function tableCells(lines: string[]): string[][] {
  const width = Math.max(...lines.map((l) => l.length));
  const blank = Array.from({ length: width }, (_, i) => lines.every((l) => i >= l.length || l[i] === ' '));
  const starts = [0];
  for (let i = 0; i < width; i++) {
    if (!blank[i] || (i > 0 && blank[i - 1])) continue;
    let j = i;
    while (j < width && blank[j]) j++;
    if (j - i >= 2 && j < width) starts.push(j);
  }
  return lines.map((l) => starts.map((s, k) => l.slice(s, k + 1 < starts.length ? starts[k + 1] : undefined).trim()));
}

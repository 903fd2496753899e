// Run the real bin/chargeledger.js (built dist) as a child process with a controlled
// environment: HOME and the working directory are given, CHARGELEDGER_* comes only from `env`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const BIN = path.join(__dirname, '../../bin/chargeledger.js');

/** What a CLI run gave back. */
export interface BinResult {
  code: number;
  out: string;
  err: string;
}

/** Spawn `chargeledger ...argv` with HOME=`home`, cwd=`cwd` and only the given CHARGELEDGER_* variables. */
export function runBin(argv: string[], opts: { home: string; cwd: string; env?: Record<string, string> }): BinResult {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHARGELEDGER_')));
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: opts.cwd, env: { ...base, HOME: opts.home, ...opts.env }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Every path under `dir` (relative, sorted): to show that a command created nothing. */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      out.push(path.relative(dir, p));
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

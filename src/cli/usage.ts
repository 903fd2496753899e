import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad argument: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One subcommand of the `chargeledger` CLI. */
export interface Command {
  /** One-line summary for `chargeledger --help`. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Run with the arguments after the subcommand name; resolves to the exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Where a command reads and writes, injectable for tests. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  /** True when standard output is a terminal: listings then default to a table (absent = not a terminal). */
  isTTY?: boolean;
}

/** The process's own streams. */
export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: process.stdin,
  get isTTY() {
    return process.stdout.isTTY === true;
  },
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse options strictly; unknown flags and missing values become a UsageError. */
export function parseOptions<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Parse a positive integer option, or throw a UsageError naming the option. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return Number(value);
}

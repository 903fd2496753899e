import { COMMANDS, commandOf } from './commands/index';
import { UsageError, processIO, type CliIO, type Command } from './usage';

const HELP = (): string =>
  [
    'Usage: chargeledger <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Run `chargeledger <command> --help` for a command\'s options.',
    '',
  ].join('\n');

/** Entry point of the `chargeledger` command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`chargeledger: unknown command "${name}"\n\n${HELP()}`);
    return 2;
  }
  let command: Command;
  try {
    command = commandOf(await entry.load());
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Only the command's own module missing means "not in this build"; anything else is a bug.
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(`commands/${name}.`)) {
      io.stderr(`chargeledger: "${name}" is not available in this build\n`);
      return 2;
    }
    throw e;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`chargeledger ${name}: ${e.message}\n(see chargeledger ${name} --help)\n`);
      return 2;
    }
    io.stderr(`chargeledger ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}

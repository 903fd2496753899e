import type { Command } from '../usage';

/**
 * Every subcommand, loaded lazily so that `chargeledger verify` does not load serialport and
 * LevelDB. A command's module lives in `./<name>.ts` and default-exports a Command. The `.js`
 * specifier works both compiled (dist) and under vitest, which maps it to the `.ts` source.
 */
// A computed specifier: the type checker does not require every command to be present, and a
// missing one is reported by main() as "not available in this build".
const load = (name: string): Promise<unknown> => import(`./${name}.js`);

export const COMMANDS: Record<string, { summary: string; load: () => Promise<unknown> }> = {
  simulate: { summary: 'run the charger-site simulator (meters and EVs)', load: () => load('simulate') },
  parse: { summary: 'parse captured meter telegrams into JSON lines', load: () => load('parse') },
  read: { summary: 'print live readings from a meter port', load: () => load('read') },
  price: { summary: 'price a session with an OCPI 2.2.1 tariff', load: () => load('price') },
  verify: { summary: 'verify an OCMF string or a whole ledger chain', load: () => load('verify') },
  keygen: { summary: 'create, show or rotate the station signing key', load: () => load('keygen') },
  sessions: { summary: 'list stored session records (a table) or export them as JSON lines, CSV or OCPI CDRs', load: () => load('sessions') },
  report: { summary: 'revenue, cost and margin rollups from the ledger', load: () => load('report') },
  receive: { summary: 'reference backend receiver: verify, store and ack records', load: () => load('receive') },
  doctor: { summary: 'check the controller: ports, data dir, keys, broker', load: () => load('doctor') },
};

/**
 * The Command of a loaded module. Node's ESM loader hands a compiled CommonJS module over as
 * `{ default: module.exports }`, so the TypeScript default export sits one level deeper there.
 */
export function commandOf(mod: unknown): Command {
  const d = (mod as { default?: unknown }).default as { default?: Command } & Partial<Command>;
  return (d && typeof d.run === 'function' ? d : d?.default) as Command;
}

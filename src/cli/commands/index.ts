/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading keeps `chargeledger verify` from loading serialport and LevelDB */
import type { Command } from '../usage';

/**
 * Every subcommand, loaded lazily so that `chargeledger verify` does not load serialport.
 * A command's module lives in `./<name>.ts` and default-exports a Command.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  simulate: { summary: 'run the charger-site simulator (meters and EVs)', load: () => require('./simulate').default },
  parse: { summary: 'parse captured meter telegrams into JSON lines', load: () => require('./parse').default },
  read: { summary: 'print live readings from a meter port', load: () => require('./read').default },
  price: { summary: 'price a session with an OCPI 2.2.1 tariff', load: () => require('./price').default },
  verify: { summary: 'verify an OCMF string or a whole ledger chain', load: () => require('./verify').default },
  keygen: { summary: 'create, show or rotate the station signing key', load: () => require('./keygen').default },
  sessions: { summary: 'export stored session records as CSV or JSON lines', load: () => require('./sessions').default },
  report: { summary: 'revenue, cost and margin rollups from the ledger', load: () => require('./report').default },
  receive: { summary: 'reference backend receiver: verify, store and ack records', load: () => require('./receive').default },
  doctor: { summary: 'check the controller: ports, data dir, keys, broker', load: () => require('./doctor').default },
};

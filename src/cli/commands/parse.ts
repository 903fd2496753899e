// `chargeledger parse`: decode captured meter bytes into one JSON line per telegram.
import { readFile } from 'node:fs/promises';
import { loadProfile } from '../../adapters/profiles';
import { createMeterDecoder } from '../../core/meter/decoder';
import type { DecodeEvent } from '../../core/meter/events';
import { MeterLineSplitter } from '../../core/meter/linesplit';
import type { MeterProfile } from '../../core/meter/profile';
import { parseOptions, UsageError, type CliIO, type Command } from '../usage';

const usage = `Usage: chargeledger parse [--protocol auto|iec62056-21|dsmr] [--profile NAME|FILE.json] [FILE|-]

Decodes raw captured meter bytes (a file, or standard input for "-" or no FILE) and
prints one JSON line per telegram:
  {"checksum":"ok"|"none"|"bad","identification":"/ISK5\\\\2M550T-1013",
   "values":{"1-0:1.8.1":{"value":"000004.426","unit":"kWh"},...},"reading":{...SI reading...}}
OBIS keys are exactly as written in the telegram. A rejected telegram prints
  {"checksum":...,"error":"<reason>","detail":"..."}
with reason bad_checksum, truncated, garbage, unknown_unit, bad_value,
missing_register, register_backwards or impossible_jump. Register checks run
across the whole capture (per meter id; the jump check uses the meters' own
timestamps and needs the profile's ratedPowerW). Bytes outside any telegram are
reported on standard error.

Options:
  --protocol P   auto (default), dsmr or iec62056-21. Without --profile, dsmr uses
                 the generic-dsmr profile and iec62056-21 the generic-iec62056-21
                 profile; auto picks IEC when the capture has STX framing or short
                 OBIS codes (1.8.0), else DSMR.
  --profile P    a profile name from hardware/meters or a path to a profile JSON.

Exit status: 0 all telegrams accepted, 1 some telegram rejected (or none found),
2 usage error (unknown option or profile, unreadable FILE).
`;

const GENERIC = { dsmr: 'generic-dsmr', 'iec62056-21': 'generic-iec62056-21' } as const;

/** Guess the protocol of a capture: STX framing or short-form OBIS lines mean IEC 62056-21. */
export function guessProtocol(text: string): 'dsmr' | 'iec62056-21' {
  return text.includes('\x02') || /(^|\n)[0-9A-Z]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}[(*]/.test(text) ? 'iec62056-21' : 'dsmr';
}

function resolveProfile(protocol: string, profileArg: string | undefined, text: string): MeterProfile {
  if (!['auto', 'dsmr', 'iec62056-21'].includes(protocol)) throw new UsageError(`--protocol must be auto, dsmr or iec62056-21, got "${protocol}"`);
  const proto = protocol === 'auto' ? undefined : (protocol as 'dsmr' | 'iec62056-21');
  let profile: MeterProfile;
  try {
    profile = loadProfile(profileArg ?? GENERIC[proto ?? guessProtocol(text)]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (proto && proto !== profile.protocol) {
    if (profile.protocol === 'lines') throw new UsageError(`profile "${profile.name}" uses the lines protocol; --protocol ${proto} does not apply`);
    profile = { ...profile, protocol: proto };
  }
  return profile;
}

async function readInput(file: string | undefined, io: CliIO): Promise<Buffer> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : (c as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The JSON line for one decoder event, or null for bytes that never formed a telegram. */
export function eventLine(e: DecodeEvent): Record<string, unknown> | null {
  if (e.ok) return { checksum: e.telegram.checksum, identification: e.telegram.identification, values: e.telegram.values, reading: e.reading };
  if (!e.telegram) return null;
  const out: Record<string, unknown> = { checksum: e.telegram.checksum, error: e.reason, detail: e.detail };
  if (e.telegram.identification) out.identification = e.telegram.identification;
  if (e.meterId !== undefined) out.meterId = e.meterId;
  return out;
}

const command: Command = {
  summary: 'parse captured meter telegrams into JSON lines',
  usage,
  async run(argv, io) {
    const { values: opts, positionals } = parseOptions(argv, { protocol: { type: 'string' }, profile: { type: 'string' } }, true);
    if (positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${positionals.length}`);
    // Validate the protocol before reading stdin, so a typo does not wait for input.
    if (opts.protocol !== undefined && !['auto', 'dsmr', 'iec62056-21'].includes(opts.protocol)) resolveProfile(opts.protocol, undefined, '');
    if (opts.profile !== undefined) resolveProfile(opts.protocol ?? 'auto', opts.profile, '');
    const text = (await readInput(positionals[0], io)).toString('latin1');
    const profile = resolveProfile(opts.protocol ?? 'auto', opts.profile, text);
    // In a capture, arrival time means nothing: the jump check runs on the meters' timestamps.
    const decoder = createMeterDecoder(profile, { elapsedFrom: 'meterTime' });
    const splitter = new MeterLineSplitter();
    let telegrams = 0;
    let rejected = 0;
    const emit = (events: DecodeEvent[]) => {
      for (const e of events) {
        const line = eventLine(e);
        if (!line) {
          if (!e.ok) io.stderr(`parse: skipped ${e.reason}: ${e.detail}\n`);
          continue;
        }
        telegrams++;
        if (!e.ok) rejected++;
        io.stdout(`${JSON.stringify(line)}\n`);
      }
    };
    const clock = () => ({ timeMs: Date.now(), monoMs: performance.now() });
    for (const l of [...splitter.push(text), ...splitter.flush()]) emit(decoder.push(l, clock()));
    emit(decoder.end());
    if (telegrams === 0) {
      io.stderr('parse: no telegram found in the input\n');
      return 1;
    }
    if (rejected > 0) io.stderr(`parse: ${rejected} of ${telegrams} telegrams rejected\n`);
    return rejected > 0 ? 1 : 0;
  },
};

export default command;

// From what a technician configures (port, serial settings, mode) plus the meter profile's
// defaults to the settings of a MeterLink. Shared by the config node and the CLI.
import { isModbusProfile, type AnyProfile } from '../profiles';
import { DEFAULT_SERIAL, parseAddress, serialSettingsProblems, type SerialSettings } from './address';
import type { BackoffOptions } from './backoff';
import { IEC_REQUEST } from './iec-mode-c';
import type { MeterLinkOptions } from './meter-link';
import { DEFAULT_MODBUS_POLL_MS } from './modbus-feed';

/** A meter port as configured; absent serial fields take the profile's defaults. */
export interface MeterPortConfig {
  /** Device path or tcp://host:port. */
  port: string;
  baudRate?: number;
  dataBits?: SerialSettings['dataBits'];
  parity?: SerialSettings['parity'];
  stopBits?: SerialSettings['stopBits'];
  /** auto: poll when the profile has a poll request or is IEC mode C, else push. */
  mode?: 'auto' | 'push' | 'poll';
  /** Poll interval, ms; default the profile's, else 10 s. */
  pollIntervalMs?: number;
  /** Health goes stale after this long without a good reading, ms. */
  staleTimeoutMs: number;
  /** Modbus RTU: the slave ids of the meters on the bus, polled in turn; default the profile's one. */
  modbusSlaves?: number[];
}

/** Default poll interval when neither the config nor the profile gives one, ms. */
export const DEFAULT_POLL_MS = 10_000;

/** The serial settings a profile implies: IEC mode C heads at their sign-on speed, else the profile's, else 115200 8N1. */
export function profileSerial(profile: AnyProfile): SerialSettings {
  if (!isModbusProfile(profile) && profile.iec) return { baudRate: profile.iec.initialBaud, dataBits: profile.iec.dataBits, parity: profile.iec.parity, stopBits: profile.iec.stopBits };
  if (profile.serial) return { baudRate: profile.serial.baud, dataBits: profile.serial.dataBits, parity: profile.serial.parity, stopBits: profile.serial.stopBits };
  return { ...DEFAULT_SERIAL };
}

/** MeterLink settings for a configured port and its profile; throws an Error listing every problem. */
export function linkOptionsFor(cfg: MeterPortConfig, profile: AnyProfile, backoff?: BackoffOptions): MeterLinkOptions {
  const address = parseAddress(cfg.port);
  const base = profileSerial(profile);
  const serial: SerialSettings = {
    baudRate: cfg.baudRate ?? base.baudRate,
    dataBits: cfg.dataBits ?? base.dataBits,
    parity: cfg.parity ?? base.parity,
    stopBits: cfg.stopBits ?? base.stopBits,
  };
  const problems = serialSettingsProblems(serial);
  if (!(cfg.staleTimeoutMs > 0)) problems.push(`stale timeout must be > 0 ms, got ${cfg.staleTimeoutMs}`);
  if (isModbusProfile(profile)) {
    // Modbus RTU: the feed polls request by request over raw bytes; the link only carries them.
    const pollIntervalMs = cfg.pollIntervalMs ?? profile.pollIntervalMs ?? DEFAULT_MODBUS_POLL_MS;
    if (!(pollIntervalMs >= 100)) problems.push(`poll interval must be at least 100 ms, got ${pollIntervalMs}`);
    if (cfg.mode === 'push') problems.push('a Modbus RTU meter answers polls only: mode must be auto or poll');
    if (problems.length) throw new Error(`meter port ${cfg.port}: ${problems.join('; ')}`);
    // A gateway that stopped answering every poll for a long time may be half-open: reconnect.
    const idleTimeoutMs = address.kind === 'tcp' ? Math.max(60_000, 4 * cfg.staleTimeoutMs) : 0;
    return { address, serial, mode: 'push', raw: true, pollIntervalMs, handshake: 'none', backoff, idleTimeoutMs };
  }
  const modeC = profile.iec?.mode === 'C';
  const mode = !cfg.mode || cfg.mode === 'auto' ? (profile.poll || modeC ? 'poll' : 'push') : cfg.mode;
  const pollIntervalMs = cfg.pollIntervalMs ?? profile.poll?.intervalMs ?? DEFAULT_POLL_MS;
  if (mode === 'poll' && !(pollIntervalMs >= 100)) problems.push(`poll interval must be at least 100 ms, got ${pollIntervalMs}`);
  if (problems.length) throw new Error(`meter port ${cfg.port}: ${problems.join('; ')}`);
  return {
    address,
    serial,
    mode,
    pollIntervalMs,
    request: profile.poll?.request ?? IEC_REQUEST,
    // Mode C signs on per poll; a push-mode board using the same profile needs no sign-on.
    handshake: modeC && mode === 'poll' ? 'iec-mode-c' : 'none',
    switchBaud: profile.iec?.switchBaud ?? true,
    backoff,
    // A TCP connection can stay open while the gateway is gone (power cut, no FIN): after a
    // long silence, reconnect. A serial device reports its own loss.
    idleTimeoutMs: address.kind === 'tcp' && mode === 'push' ? Math.max(60_000, 4 * cfg.staleTimeoutMs) : 0,
  };
}

/** "1, 2,3" → [1, 2, 3]; empty → undefined; a non-number stays NaN for modbusSlaveIds to name. */
export function parseSlaveIds(text: unknown): number[] | undefined {
  const parts = String(text ?? '').split(/[\s,;]+/).filter(Boolean);
  return parts.length ? parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN)) : undefined;
}

/** The Modbus slave ids a port polls (the profile's one unless configured); throws an Error naming the problem. */
export function modbusSlaveIds(cfg: MeterPortConfig, profile: AnyProfile): number[] {
  const ids = cfg.modbusSlaves ?? [];
  if (!isModbusProfile(profile)) {
    if (ids.length) throw new Error(`meter port ${cfg.port}: slave ids apply to Modbus RTU profiles only, not to "${profile.name}"`);
    return [];
  }
  if (!ids.length) return [profile.slave];
  const bad = ids.filter((id) => !Number.isInteger(id) || id < 1 || id > 247);
  if (bad.length) throw new Error(`meter port ${cfg.port}: Modbus slave ids must be 1..247, got ${bad.join(', ')}`);
  if (new Set(ids).size !== ids.length) throw new Error(`meter port ${cfg.port}: a Modbus slave id is listed twice`);
  return ids;
}

/** A key that changes whenever anything that needs a reopen changes (for the shared-port registry). */
export function linkConfigKey(opts: MeterLinkOptions, profileName: string): string {
  const { address, serial, mode, pollIntervalMs, request, handshake, switchBaud, idleTimeoutMs, raw } = opts;
  const polled = mode === 'poll' || raw === true;
  return JSON.stringify({ address, serial, mode, raw, pollIntervalMs: polled ? pollIntervalMs : 0, request, handshake, switchBaud, idleTimeoutMs, profileName });
}

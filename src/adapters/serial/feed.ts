// One kind of object per meter port, whatever the protocol behind it: telegrams through the
// readline parser and the decoder, or Modbus RTU polls. Both emit 'decoded', 'state' and
// 'problem', and both have link, connected, open() and close().
import { createMeterDecoder } from '../../core/meter/decoder';
import { ModbusMeter } from '../../core/meter/modbus-meter';
import { isModbusProfile, type AnyProfile } from '../profiles';
import { MeterFeed } from './meter-feed';
import { MeterLink, type MeterLinkOptions } from './meter-link';
import { DEFAULT_MODBUS_POLL_MS, DEFAULT_MODBUS_TIMEOUT_MS, ModbusFeed } from './modbus-feed';

/** A meter port's decoded traffic. */
export type Feed = MeterFeed | ModbusFeed;

/** Which meters a feed reads: an id for a single meter; Modbus slave ids on a bus (see modbusSlaveIds). */
export interface FeedMeters {
  meterId?: string;
  slaves?: number[];
}

/** The feed for a port's link options (see linkOptionsFor) and its profile. */
export function createFeed(opts: MeterLinkOptions, profile: AnyProfile, meters: FeedMeters = {}): Feed {
  const id = meters.meterId ? { meterId: meters.meterId } : {};
  if (!isModbusProfile(profile)) return new MeterFeed(new MeterLink(opts), createMeterDecoder(profile, id));
  const timing = {
    pollIntervalMs: opts.pollIntervalMs ?? profile.pollIntervalMs ?? DEFAULT_MODBUS_POLL_MS,
    responseTimeoutMs: profile.responseTimeoutMs ?? DEFAULT_MODBUS_TIMEOUT_MS,
    baudRate: opts.serial.baudRate,
  };
  const slaves = meters.slaves?.length ? meters.slaves : [profile.slave];
  // One meter per slave, each with its own plausibility state; a configured id names a lone meter only.
  const bus = slaves.map((slave) => new ModbusMeter({ ...profile, slave }, slaves.length === 1 ? id : {}));
  return new ModbusFeed(new MeterLink({ ...opts, raw: true }), bus, timing);
}

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

/** The feed for a port's link options (see linkOptionsFor) and its profile. */
export function createFeed(opts: MeterLinkOptions, profile: AnyProfile, meterId?: string): Feed {
  const id = meterId ? { meterId } : {};
  if (!isModbusProfile(profile)) return new MeterFeed(new MeterLink(opts), createMeterDecoder(profile, id));
  const timing = {
    pollIntervalMs: opts.pollIntervalMs ?? profile.pollIntervalMs ?? DEFAULT_MODBUS_POLL_MS,
    responseTimeoutMs: profile.responseTimeoutMs ?? DEFAULT_MODBUS_TIMEOUT_MS,
    baudRate: opts.serial.baudRate,
  };
  return new ModbusFeed(new MeterLink({ ...opts, raw: true }), new ModbusMeter(profile, id), timing);
}

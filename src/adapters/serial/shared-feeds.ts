// The process-wide registry of open meter ports: each device or gateway is opened once,
// whatever the number of config nodes, CLI readers or meter nodes that use it.
import { createMeterDecoder } from '../../core/meter/decoder';
import type { MeterProfile } from '../../core/meter/profile';
import { formatAddress } from './address';
import { MeterFeed } from './meter-feed';
import { MeterLink, type MeterLinkOptions } from './meter-link';
import { linkConfigKey } from './port-config';
import { SharedRegistry } from './registry';

/** Every open meter feed of this process, keyed by port address. */
export const sharedFeeds = new SharedRegistry<MeterFeed>();

/** Use the feed of a port, opening it (and starting reconnection) on first use. */
export function acquireFeed(opts: MeterLinkOptions, profile: MeterProfile, meterId?: string): Promise<MeterFeed> {
  const key = formatAddress(opts.address);
  const configKey = `${linkConfigKey(opts, profile.name)}|${JSON.stringify(profile)}|${meterId ?? ''}`;
  return sharedFeeds.acquire(
    key,
    configKey,
    () => {
      const feed = new MeterFeed(new MeterLink(opts), createMeterDecoder(profile, meterId ? { meterId } : {}));
      // Failures are reported through 'state'; the link keeps retrying.
      feed.open().catch(() => undefined);
      return feed;
    },
    (feed) => feed.close(),
  );
}

/** Stop using a port's feed; it closes after the last user (after `lingerMs` when > 0). */
export function releaseFeed(feed: MeterFeed, lingerMs = 0): void {
  sharedFeeds.release(formatAddress(feed.link.opts.address), feed, lingerMs);
}

/** Close a released feed that is still lingering (its config node was deleted). */
export function closeIdleFeed(feed: MeterFeed): Promise<void> {
  return sharedFeeds.closeIfIdle(formatAddress(feed.link.opts.address), feed);
}

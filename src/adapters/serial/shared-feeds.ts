// The process-wide registry of open meter ports: each device or gateway is opened once,
// whatever the number of config nodes, CLI readers or meter nodes that use it.
import type { AnyProfile } from '../profiles';
import { formatAddress } from './address';
import { createFeed, type Feed, type FeedMeters } from './feed';
import type { MeterLinkOptions } from './meter-link';
import { linkConfigKey } from './port-config';
import { SharedRegistry } from './registry';

/** Every open meter feed of this process, keyed by port address. */
export const sharedFeeds = new SharedRegistry<Feed>();

/** Use the feed of a port, opening it (and starting reconnection) on first use. */
export function acquireFeed(opts: MeterLinkOptions, profile: AnyProfile, meters: FeedMeters = {}): Promise<Feed> {
  const key = formatAddress(opts.address);
  const configKey = `${linkConfigKey(opts, profile.name)}|${JSON.stringify(profile)}|${JSON.stringify(meters)}`;
  return sharedFeeds.acquire(
    key,
    configKey,
    () => {
      const feed = createFeed(opts, profile, meters);
      // Failures are reported through 'state'; the link keeps retrying.
      feed.open().catch(() => undefined);
      return feed;
    },
    (feed) => feed.close(),
  );
}

/** Stop using a port's feed; it closes after the last user (after `lingerMs` when > 0). */
export function releaseFeed(feed: Feed, lingerMs = 0): void {
  sharedFeeds.release(formatAddress(feed.link.opts.address), feed, lingerMs);
}

/** Close a released feed that is still lingering (its config node was deleted). */
export function closeIdleFeed(feed: Feed): Promise<void> {
  return sharedFeeds.closeIfIdle(formatAddress(feed.link.opts.address), feed);
}

// Config node `chargeledger-meter-port`: one meter port (serial device or TCP gateway) plus the
// profile that decodes it. It counts its users (meter nodes), opens the shared feed for the
// first and releases it after the last; a plain redeploy keeps the port open (see registry.ts).
import { LogLimiter } from '../core/health/log-limit';
import type { MeterEvent } from '../core/meter/events';
import { loadAnyProfile, type AnyProfile } from '../adapters/profiles';
import type { BackoffOptions } from '../adapters/serial/backoff';
import { listPorts } from '../adapters/serial/list-ports';
import type { Feed } from '../adapters/serial/feed';
import type { LinkState, MeterLinkOptions } from '../adapters/serial/meter-link';
import { linkOptionsFor, modbusSlaveIds } from '../adapters/serial/port-config';
import { acquireFeed, closeIdleFeed, releaseFeed } from '../adapters/serial/shared-feeds';
import { portConfigFromDef } from './meter-port-def';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef } from './lib/red';

/** What a meter node receives from its port. */
export interface MeterPortUser {
  /** A decoded reading or rejection, synchronously on the line that completed it. */
  onDecoded(ev: MeterEvent): void;
  /** The port opened or closed; `replay` when it is the current state told to a new user. */
  onLink(state: LinkState, replay: boolean): void;
}

/** The config node instance as meter nodes see it. */
export interface MeterPortNode extends Node {
  /** Health stale timeout, ms. */
  staleTimeoutMs: number;
  /** Why the configuration is unusable, or null. */
  configError: Error | null;
  /** Address for labels. */
  address: string;
  addUser(user: MeterPortUser): void;
  removeUser(user: MeterPortUser): void;
}

const DEFAULT_LINGER_MS = 5000;
/** A port problem of one kind is logged at most once per this many ms (settings: chargeledgerMeterProblemLogMs). */
const DEFAULT_PROBLEM_LOG_MS = 60_000;

/** Register the config node and the "search ports" admin endpoint. */
export default function (RED: NodeAPI): void {
  // The permission check's next() is mandatory, the local typing of httpAdmin.get calls it optional.
  const canRead = RED.auth.needsPermission('chargeledger.read') as Parameters<NodeAPI['httpAdmin']['get']>[1];
  RED.httpAdmin.get('/chargeledger/ports', canRead, (_req, res) => {
    listPorts().then(
      (ports) => res.json(ports),
      (err: Error) => res.status(500).json({ error: err.message }),
    );
  });

  RED.nodes.registerType('chargeledger-meter-port', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node = this as MeterPortNode;
    const cfg = portConfigFromDef(def);
    node.staleTimeoutMs = cfg.staleTimeoutMs;
    node.address = cfg.port;
    node.configError = null;
    let profile: AnyProfile | null = null;
    let linkOpts: MeterLinkOptions | null = null;
    let slaves: number[] = [];
    try {
      profile = loadAnyProfile(String(def.profile ?? '').trim() || 'generic-dsmr');
      slaves = modbusSlaveIds(cfg, profile);
      linkOpts = linkOptionsFor(cfg, profile, RED.settings.chargeledgerMeterBackoff as BackoffOptions | undefined);
    } catch (e) {
      node.configError = e as Error;
      node.error(node.configError.message);
    }
    const lingerMs = Number(RED.settings.chargeledgerMeterPortLingerMs ?? DEFAULT_LINGER_MS);
    const users = new Set<MeterPortUser>();
    let feed: Feed | null = null;
    // The feed released last, which may still linger: closed at once if this node is deleted.
    let released: Feed | null = null;
    let acquiring: Promise<void> | null = null;
    let closed = false;

    const onDecoded = (ev: MeterEvent) => {
      for (const u of users) u.onDecoded(ev);
    };
    const onState = (s: LinkState) => {
      if (s.connected) node.log(`meter port ${cfg.port} open`);
      else node.warn(`meter port ${cfg.port}: ${s.error?.message ?? 'closed'}; reconnecting`);
      for (const u of users) u.onLink(s, false);
    };
    // Why a limit: noise without line ends raises a problem per 64 KiB (a thousand for 60 MB).
    const problemLog = new LogLimiter(Number(RED.settings.chargeledgerMeterProblemLogMs ?? DEFAULT_PROBLEM_LOG_MS));
    let problemTimer: NodeJS.Timeout | null = null;
    const flushProblems = () => {
      problemTimer = null;
      for (const line of problemLog.flush(performance.now())) node.warn(line);
      armProblemFlush();
    };
    const armProblemFlush = () => {
      const due = problemLog.nextFlushInMs(performance.now());
      if (due === null || problemTimer || closed) return;
      problemTimer = setTimeout(flushProblems, Math.max(0, due) + 1);
      problemTimer.unref?.();
    };
    const onProblem = (reason: string, err: Error) => {
      const line = problemLog.offer(reason, `meter port ${cfg.port}: ${reason}: ${err.message}`, performance.now());
      if (line !== null) node.warn(line);
      armProblemFlush();
    };

    function detach(linger: number): void {
      if (!feed) return;
      feed.off('decoded', onDecoded).off('state', onState).off('problem', onProblem);
      releaseFeed(feed, linger);
      released = feed;
      feed = null;
    }

    function attach(): void {
      if (feed || acquiring || !linkOpts || !profile) return;
      acquiring = acquireFeed(linkOpts, profile, { slaves }).then(
        (f) => {
          acquiring = null;
          if (closed || users.size === 0) {
            releaseFeed(f, closed ? 0 : lingerMs);
            return;
          }
          feed = f;
          f.on('decoded', onDecoded).on('state', onState).on('problem', onProblem);
          // A reused (lingering) feed is already open: tell the users where it stands.
          if (f.link.isConnected || f.link.lastError) {
            const s: LinkState = f.link.isConnected ? { connected: true } : { connected: false, error: f.link.lastError ?? undefined };
            for (const u of users) u.onLink(s, true);
          }
        },
        (err: Error) => {
          acquiring = null;
          node.configError = err;
          node.error(err.message);
          for (const u of users) u.onLink({ connected: false, error: err }, false);
        },
      );
    }

    node.addUser = (user) => {
      users.add(user);
      if (node.configError) user.onLink({ connected: false, error: node.configError }, true);
      else if (feed) user.onLink(feed.link.isConnected ? { connected: true } : { connected: false, error: feed.link.lastError ?? undefined }, true);
      attach();
    };

    node.removeUser = (user) => {
      users.delete(user);
      if (users.size === 0) detach(lingerMs);
    };

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      if (problemTimer) clearTimeout(problemTimer);
      problemTimer = null;
      // Deleted from the flow: close now. Redeployed: linger, so an identical new config node reuses the open port.
      detach(removed ? 0 : lingerMs);
      if (removed && released) void closeIdleFeed(released);
      users.clear();
      done();
    });
  });
}

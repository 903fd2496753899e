import { AckGuard } from '../adapters/mqtt/ack-guard';
import { OutboxPump } from '../adapters/mqtt/outbox-pump';
import { RefusalLog } from './lib/refusal-log';
import { TelemetryPublisher } from '../adapters/mqtt/telemetry-publisher';
import type { UplinkClient } from '../adapters/mqtt/uplink-client';
import type { Outbox } from '../adapters/ports';
import { InputRefused, onInput, refusalStatus } from './lib/input';
import { parseInput } from './lib/parse-input';
import { parseSyncDef, type SyncNodeConfig } from './sync-def';
import { migrateDef } from './lib/migrate';
import type { Node, NodeAPI, NodeDef } from './lib/red';
import { statusFault, statusOk, statusWarn } from './lib/status';
import type { UplinkConfigNode } from './uplink';

/** The part of the ledger config node (`chargeledger-ledger`) the sync node uses. */
interface LedgerLike {
  outbox?: Outbox;
  events?: { on(ev: 'appended', fn: () => void): unknown; off(ev: 'appended', fn: () => void): unknown };
}


/** Registers `chargeledger-sync`: drains the ledger's outbox to the backend, removing records only on its ack. */
export default function (RED: NodeAPI): void {
  RED.nodes.registerType('chargeledger-sync', function (this: Node, def: NodeDef) {
    def = migrateDef(def);
    RED.nodes.createNode(this, def);
    const node = this as Node;
    const uplinkNode = RED.nodes.getNode(String(def.uplink)) as UplinkConfigNode | null;
    const ledger = RED.nodes.getNode(String(def.ledger)) as (Node & LedgerLike) | null;
    if (!uplinkNode || !ledger?.outbox) {
      statusFault(RED, node, !uplinkNode ? 'noUplink' : 'noLedger');
      node.error(!uplinkNode ? 'no uplink configured' : 'no ledger configured (a chargeledger-ledger node provides the outbox)');
      onInput(node, () => {
        throw new Error('sync node is not configured');
      });
      return;
    }
    let cfg: SyncNodeConfig;
    try {
      cfg = parseSyncDef(def);
    } catch (e) {
      statusFault(RED, node, 'configError');
      node.error((e as Error).message);
      onInput(node, () => {
        throw e as Error;
      });
      return;
    }
    const outbox = ledger.outbox;
    let client: UplinkClient;
    try {
      client = uplinkNode.acquire(node);
    } catch (e) {
      statusFault(RED, node, 'uplinkError');
      node.error(`uplink: ${(e as Error).message}`);
      onInput(node, () => {
        throw e as Error;
      });
      return;
    }
    client.setBacklogProvider(() => outbox.size());
    const guard = new AckGuard({ stationId: uplinkNode.stationId, verify: uplinkNode.ackVerify });
    const pump = new OutboxPump(client, outbox, {
      ackGuard: guard,
      // Settings key for tests and unusual sites: the first pause of the acks subscription in a flood.
      floodPauseMs: Number(RED.settings.chargeledgerAckFloodPauseMs ?? 10_000),
      rate: { ratePerS: cfg.ratePerS, burst: cfg.burst },
      maxInFlight: cfg.maxInFlight,
      batchSize: Math.min(cfg.maxInFlight, 100),
      ackTimeoutMs: cfg.ackTimeoutMs,
    });
    const telemetry = new TelemetryPublisher(client, uplinkNode.stationId, cfg.telemetryIntervalS);

    let backlog = 0;
    const show = (): void => {
      if (!client.connected) statusFault(RED, node, backlog > 0 ? 'offlineQueued' : 'offline', { count: backlog });
      else if (uplinkNode.ackKeyProblem) statusFault(RED, node, backlog > 0 ? 'noAckKeyQueued' : 'noAckKey', { count: backlog });
      else if (backlog > 0) statusWarn(RED, node, 'queued', { count: backlog });
      else statusOk(RED, node, 'synced');
    };
    const refresh = (): void => {
      outbox.size().then(
        (n) => {
          backlog = n;
          show();
        },
        (e: Error) => statusFault(RED, node, 'outboxError', { error: e.message }),
      );
    };
    const onAppended = (): void => {
      pump.kick();
      refresh();
    };
    pump.on('backlog', (n: number) => {
      backlog = n;
      show();
    });
    pump.on('error', (e: Error) => node.warn(e.message));
    // Refused acks are counted (telemetry) and logged at most once a minute: a flood must not flood the log.
    const refusalLog = new RefusalLog(60_000, (text) => node.warn(text));
    pump.on('refused', (v: { refusal: string; reason: string }) => {
      refusalLog.add(v.refusal, v.reason);
      telemetry.snapshot.touch();
    });
    pump.on('acked', () => telemetry.snapshot.touch());
    pump.on('acks-paused', (ms: number) => node.warn(`ack flood: not listening for acks for ${Math.round(ms / 1000)} s (records stay in the outbox and are resent)`));
    pump.on('acks-resumed', () => node.log('listening for acks again after a flood'));
    telemetry.snapshot.acks(() => ({ accepted: guard.accepted, refused: { ...guard.refused } }));
    client.on('connect', refresh);
    client.on('offline', show);
    ledger.events?.on('appended', onAppended);
    pump.start();
    telemetry.start();
    refresh();

    onInput(
      node,
      (msg) => {
        // A message without a kind (a plain inject) just wakes the pump: "retry now".
        if (msg.kind === undefined) return pump.kick();
        const r = parseInput(msg, ['record', 'reading', 'health', 'setpoint']);
        if (!r.ok) throw new InputRefused(r.reason);
        const input = r.value;
        switch (input.kind) {
          case 'record':
            return onAppended();
          case 'reading':
            return telemetry.snapshot.reading(input.value);
          case 'health':
            return telemetry.snapshot.health(input.value);
          case 'setpoint':
            return telemetry.snapshot.setpoint(input.value.connectorId, { currentA: input.value.currentA, phases: input.value.phases, boundBy: input.value.boundBy });
        }
      },
      (err) => {
        if (err instanceof InputRefused) statusFault(RED, node, ...refusalStatus(err.message));
      },
    );

    node.on('close', (_removed: boolean, done: () => void) => {
      ledger.events?.off('appended', onAppended);
      client.off('connect', refresh);
      client.off('offline', show);
      telemetry.stop();
      refusalLog.flush();
      pump
        .stop()
        .then(() => uplinkNode.release(node))
        .then(done, () => done());
    });
  });
}

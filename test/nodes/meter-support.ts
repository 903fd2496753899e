// Shared pieces of the meter node tests: flows, message collectors, telegram writers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeRed, nodeModule } from '../helpers/nodered';
import { waitFor } from '../helpers/ports';
import { PtyPair } from '../helpers/socat';
import { dsmrTelegram } from '../helpers/dsmr-telegram';

/** Both meter node modules, loaded through their shims. */
export const meterModules = () => [nodeModule('chargeledger-meter-port'), nodeModule('chargeledger-meter')];

/** Fast reconnection and no lingering, so tests do not wait on production delays. */
export function fastSettings(lingerMs = 0): void {
  nodeRed.settings({ chargeledgerMeterBackoff: { initialMs: 50, maxMs: 400, jitter: 0.2 }, chargeledgerMeterPortLingerMs: lingerMs });
}

/** A port config node, a meter node and helper nodes on its two outputs. */
export function meterFlow(port: string, opts: { meterId?: string; staleTimeoutS?: number; profile?: string; extra?: object[] } = {}) {
  return [
    { id: 'port', type: 'chargeledger-meter-port', port, profile: opts.profile ?? 'simulator', staleTimeoutS: opts.staleTimeoutS ?? 30 },
    { id: 'meter', type: 'chargeledger-meter', port: 'port', meterId: opts.meterId ?? '', wires: [['readings'], ['health']] },
    { id: 'readings', type: 'helper' },
    { id: 'health', type: 'helper' },
    ...(opts.extra ?? []),
  ];
}

/** Everything a node sent or showed, in order. */
export interface Recorder {
  msgs: Array<Record<string, any>>;
  statuses: Array<{ fill?: string; shape?: string; text?: string }>;
}

/** Record the messages arriving at helper node `id`. */
export function recordMsgs(id: string): Recorder['msgs'] {
  const msgs: Recorder['msgs'] = [];
  nodeRed.getNode(id)!.on('input', (m: Record<string, any>) => msgs.push(m));
  return msgs;
}

/** Record the status calls of node `id`. */
export function recordStatus(id: string): Recorder['statuses'] {
  const out: Recorder['statuses'] = [];
  nodeRed.getNode(id)!.on('call:status', (call: { args: unknown[] }) => out.push(call.args[0] as Recorder['statuses'][number]));
  return out;
}

/** Wait until `arr` has an element matching `pred`, returning it. */
export function waitForItem<T>(arr: T[], pred: (x: T) => boolean, timeoutMs = 10000): Promise<T> {
  return waitFor(() => arr.find(pred), timeoutMs);
}

/** A fresh socat pair in its own temp dir. */
export function newPty(): PtyPair {
  const dir = mkdtempSync(path.join(tmpdir(), 'cl-meter-'));
  return new PtyPair(path.join(dir, 'meter'), path.join(dir, 'controller'));
}

/** A running meter writing one telegram every `everyMs` into a pty or socket; importWh grows by 1. */
export function meterWriter(write: (t: string) => void, meterIds = ['CP1-1'], everyMs = 100) {
  let wh = 123_456;
  const tick = () => {
    wh += 1;
    for (const id of meterIds) {
      try {
        write(dsmrTelegram({ meterId: id, importWh: wh, powerW: 11_040 }));
      } catch {
        // The pty is gone (unplugged): the meter keeps "sending" into nothing.
      }
    }
  };
  let timer: NodeJS.Timeout | null = setInterval(tick, everyMs);
  return {
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    tick,
  };
}

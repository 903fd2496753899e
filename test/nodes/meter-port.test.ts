// The meter port config node: one open per port, redeploys, removal, TCP gateways, the admin endpoint.
import { realpathSync } from 'node:fs';
import { fakeGateway } from '../helpers/gateway';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeRed } from '../helpers/nodered';
import { freePort, waitFor } from '../helpers/ports';
import { needBinary } from '../helpers/realdeps';
import { fastSettings, meterFlow, meterModules, meterWriter, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

// The nodes run from dist: inspect the registry instance they use, not a fresh one from src.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sharedFeeds } = require(path.resolve(__dirname, '../../dist/src/adapters/serial/shared-feeds.js'));

const stops: Array<() => unknown> = [];
afterEach(async () => {
  await nodeRed.unload();
  await sharedFeeds.closeAll();
  while (stops.length) await stops.pop()!();
});

async function ptyWithMeters(ids: string[]) {
  const pty = newPty();
  stops.push(() => pty.stop());
  await pty.start();
  const w = meterWriter((t) => pty.write(t), ids, 50);
  stops.push(() => w.stop());
  return pty;
}

const twoMeters = (port: string, portB = 'port') => [
  { id: 'port', type: 'chargeledger-meter-port', port, profile: 'simulator', staleTimeoutS: 30 },
  { id: 'm1', type: 'chargeledger-meter', port: 'port', meterId: 'CP1-1', wires: [['r1'], []] },
  { id: 'm2', type: 'chargeledger-meter', port: portB, meterId: 'CP1-2', wires: [['r2'], []] },
  { id: 'r1', type: 'helper' },
  { id: 'r2', type: 'helper' },
];

describe.runIf(needBinary('socat'))('chargeledger-meter-port with a real pty', () => {
  it('opens a port once for several meter nodes, and for two identical config nodes', async () => {
    fastSettings();
    const pty = await ptyWithMeters(['CP1-1', 'CP1-2']);
    const flow = [...twoMeters(pty.hostPath, 'port2'), { id: 'port2', type: 'chargeledger-meter-port', port: pty.hostPath, profile: 'simulator', staleTimeoutS: 30 }];
    await nodeRed.load(meterModules(), flow);
    const r1 = recordMsgs('r1');
    const r2 = recordMsgs('r2');
    await waitForItem(r1, () => r1.length >= 2);
    await waitForItem(r2, () => r2.length >= 2);
    expect(r1.every((m) => m.topic === 'CP1-1') && r2.every((m) => m.topic === 'CP1-2')).toBe(true);
    // One decoder for the port: both see the same sequence numbering.
    expect(sharedFeeds.refs(pty.hostPath)).toBe(2);
  });

  it('refuses a second config node with other settings on the same port, with a clear status', async () => {
    fastSettings();
    const pty = await ptyWithMeters(['CP1-1']);
    const flow = [...twoMeters(pty.hostPath, 'port2'), { id: 'port2', type: 'chargeledger-meter-port', port: pty.hostPath, profile: 'simulator', baudRate: 9600, staleTimeoutS: 30 }];
    await nodeRed.load(meterModules(), flow);
    const s2 = recordStatus('m2');
    await waitForItem(s2, (s) => s.fill === 'red' && s.text === 'port config error');
    const r1 = recordMsgs('r1');
    await waitForItem(r1, () => true);
  });

  it('keeps the port open over a plain redeploy with unchanged settings, and reopens on a change', async () => {
    fastSettings(3000);
    const pty = await ptyWithMeters(['CP1-1']);
    const flow = meterFlow(pty.hostPath);
    await nodeRed.load(meterModules(), flow);
    let readings = recordMsgs('readings');
    await waitForItem(readings, () => readings.length >= 3);
    const feed = sharedFeeds.entries.get(pty.hostPath).value;
    const lastSeq = readings[readings.length - 1].payload.seq;
    await nodeRed.setFlows(flow, 'full');
    readings = recordMsgs('readings');
    const next = await waitForItem(readings, () => true);
    // Same open port and decoder: the sequence continues instead of restarting at 1.
    expect(next.payload.seq).toBeGreaterThan(lastSeq);
    expect(sharedFeeds.entries.get(pty.hostPath).value).toBe(feed);
    // A changed serial setting reopens the port: a fresh decoder starts at 1 again.
    const changed = meterFlow(pty.hostPath);
    (changed[0] as Record<string, unknown>).baudRate = 57600;
    await nodeRed.setFlows(changed, 'full');
    readings = recordMsgs('readings');
    const first = await waitForItem(readings, () => true);
    expect(first.payload.seq).toBeLessThan(5);
    expect(sharedFeeds.entries.get(pty.hostPath).value).not.toBe(feed);
  });

  it('closes the port at once when its nodes are deleted', async () => {
    fastSettings(60_000);
    const pty = await ptyWithMeters(['CP1-1']);
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const readings = recordMsgs('readings');
    await waitForItem(readings, () => true);
    expect(sharedFeeds.has(pty.hostPath)).toBe(true);
    await nodeRed.setFlows([{ id: 'other', type: 'helper' }], 'full');
    await waitFor(() => !sharedFeeds.has(pty.hostPath));
  });

  it('lists the ports through the admin endpoint: serial devices, not terminals such as a pty', async () => {
    fastSettings();
    const pty = newPty();
    stops.push(() => pty.stop());
    await pty.start();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath));
    const res = await nodeRed.request().get('/chargeledger/ports').expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    // A pty is a terminal (/dev/pts/N): a socat virtual meter is typed in by its link name.
    expect(res.body.map((p: { path: string }) => p.path)).not.toContain(realpathSync(pty.hostPath));
    expect(res.body.filter((p: { path: string }) => p.path.startsWith('/dev/pts/'))).toEqual([]);
  });

  it('shows a config error for an unknown profile', async () => {
    fastSettings();
    await nodeRed.load(meterModules(), meterFlow('/dev/does-not-matter', { profile: 'no-such-meter' }));
    const port = nodeRed.getNode('port') as unknown as { configError: Error };
    expect(port.configError.message).toMatch(/unknown meter profile "no-such-meter"/);
    // The status was set during load, before a recorder could listen: read the runtime's spy.
    const spy = (nodeRed as unknown as { _NodePrototype: { status: { getCalls(): Array<{ thisValue: { id: string }; args: unknown[] }> } } })._NodePrototype.status;
    const last = spy.getCalls().filter((c) => c.thisValue.id === 'meter').pop();
    expect(last?.args[0]).toEqual({ fill: 'red', shape: 'ring', text: 'port config error' });
  });
});

describe('chargeledger-meter-port over a TCP gateway', () => {
  it('reads telegrams from tcp://host:port and reconnects after the gateway reboots', async () => {
    fastSettings();
    const port = await freePort();
    let gw = fakeGateway(port);
    stops.push(() => gw.stop());
    await gw.ready;
    const w = meterWriter((t) => gw.send(t), ['SITE'], 50);
    stops.push(() => w.stop());
    await nodeRed.load(meterModules(), meterFlow(`tcp://127.0.0.1:${port}`, { meterId: 'SITE' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    await waitForItem(health, (m) => m.payload.state === 'ok');
    expect(readings[0]).toMatchObject({ topic: 'SITE', payload: { meterId: 'SITE', powerW: 11_040 } });
    await gw.stop();
    const d = await waitForItem(health, (m) => m.payload.state === 'disconnected');
    const before = readings.length;
    gw = fakeGateway(port);
    await gw.ready;
    await waitForItem(readings, () => readings.length > before + 1);
    await waitForItem(health, (m) => m.payload.state === 'ok' && m.payload.sinceMs > d.payload.sinceMs);
  });
});

describe('GET /chargeledger/ports', () => {
  it('is registered behind the chargeledger.read permission check', () => {
    const routes: Array<{ path: string; handlers: unknown[] }> = [];
    const perms: string[] = [];
    const guard = () => undefined;
    const fakeRED = {
      httpAdmin: { get: (p: string, ...handlers: unknown[]) => routes.push({ path: p, handlers }) },
      auth: { needsPermission: (p: string) => (perms.push(p), guard) },
      nodes: { registerType: () => undefined },
      settings: {},
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.resolve(__dirname, '../../dist/src/nodes/meter-port.js')).default(fakeRED);
    expect(perms).toEqual(['chargeledger.read']);
    expect(routes).toHaveLength(1);
    expect(routes[0].path).toBe('/chargeledger/ports');
    expect(routes[0].handlers[0]).toBe(guard);
  });
});

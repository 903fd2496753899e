// The shipped mosquitto ACL (hardware/deploy/mosquitto/chargeledger.acl) on a real mosquitto:
// a station publishes only under its own prefix, and only the backend may publish acks and config.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';

const ACL = path.resolve(__dirname, '../../../hardware/deploy/mosquitto/chargeledger.acl');
const users = { backend: 'pw-backend', 'ST-1': 'pw-st1', 'ST-2': 'pw-st2' } as const;

describe.runIf(needBinary('mosquitto') && needBinary('mosquitto_passwd'))('mosquitto ACL for ChargeLedger', () => {
  let broker: TestBroker;
  let dir: string;
  const clients: mqtt.MqttClient[] = [];
  const as = async (user: keyof typeof users): Promise<mqtt.MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, { username: user, password: users[user], clientId: `${user}-${clients.length}`, protocolVersion: 5 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-acl-'));
    const pw = path.join(dir, 'passwd');
    for (const [u, p] of Object.entries(users)) {
      const r = spawnSync('mosquitto_passwd', [...(u === 'backend' ? ['-c'] : []), '-b', pw, u, p]);
      if (r.status !== 0) throw new Error(String(r.stderr));
    }
    broker = await startMosquitto({ authLines: ['allow_anonymous false', `password_file ${pw}`, `acl_file ${ACL}`] });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What `reader` receives on `topic` after `writer` publishes there (QoS 1). */
  async function delivered(reader: mqtt.MqttClient, sub: string, writer: mqtt.MqttClient, topic: string): Promise<string[]> {
    const got: string[] = [];
    const onMsg = (t: string, p: Buffer) => got.push(`${t} ${p}`);
    reader.on('message', onMsg);
    await reader.subscribeAsync(sub, { qos: 1 });
    await writer.publishAsync(topic, 'x', { qos: 1 }).catch(() => undefined);
    // The PUBACK came after mosquitto routed the message; over loopback a delivery follows within milliseconds.
    await new Promise((r) => setTimeout(r, 300));
    reader.off('message', onMsg);
    await reader.unsubscribeAsync(sub);
    return got;
  }

  it('lets a station publish its own records and the backend read them, also through a share group', async () => {
    const backend = await as('backend');
    const st1 = await as('ST-1');
    expect(await delivered(backend, 'chargeledger/+/sessions', st1, 'chargeledger/ST-1/sessions')).toEqual(['chargeledger/ST-1/sessions x']);
    expect(await delivered(backend, '$share/rx/chargeledger/+/sessions', st1, 'chargeledger/ST-1/sessions')).toEqual(['chargeledger/ST-1/sessions x']);
  });

  it("refuses a station's records under another station's prefix", async () => {
    const backend = await as('backend');
    const st1 = await as('ST-1');
    expect(await delivered(backend, 'chargeledger/+/sessions', st1, 'chargeledger/ST-2/sessions')).toEqual([]);
  });

  it('lets only the backend ack or configure a station', async () => {
    const backend = await as('backend');
    const st1 = await as('ST-1');
    const st2 = await as('ST-2');
    expect(await delivered(st1, 'chargeledger/ST-1/acks', backend, 'chargeledger/ST-1/acks')).toEqual(['chargeledger/ST-1/acks x']);
    expect(await delivered(st1, 'chargeledger/ST-1/acks', st2, 'chargeledger/ST-1/acks')).toEqual([]);
    expect(await delivered(st1, 'chargeledger/ST-1/acks', st1, 'chargeledger/ST-1/acks')).toEqual([]);
    expect(await delivered(st1, 'chargeledger/ST-1/config/limits', st2, 'chargeledger/ST-1/config/limits')).toEqual([]);
    expect(await delivered(st1, 'chargeledger/ST-1/config/limits', backend, 'chargeledger/ST-1/config/limits')).toEqual(['chargeledger/ST-1/config/limits x']);
  });

  it("keeps a station from reading another station's acks", async () => {
    const backend = await as('backend');
    const st2 = await as('ST-2');
    expect(await delivered(st2, 'chargeledger/ST-1/acks', backend, 'chargeledger/ST-1/acks')).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startRuntime, type StartedRuntime } from '../helpers/runtime';
import { waitFor } from '../helpers/ports';

// One end-to-end run, exactly as `npm start` runs: simulator over a real socket, embedded
// broker, Node-RED with the shipped flow; a session record must arrive on MQTT.
describe('npm start end to end', () => {
  let rt: StartedRuntime;
  let client: mqtt.MqttClient;
  const records: any[] = [];

  beforeAll(async () => {
    rt = await startRuntime();
    client = await waitFor(async () => {
      try {
        return await mqtt.connectAsync(`mqtt://127.0.0.1:${rt.brokerPort}`, { reconnectPeriod: 0, connectTimeout: 1000 });
      } catch {
        return null;
      }
    }, 20000, 200);
    client.on('message', (_topic, payload) => records.push(JSON.parse(payload.toString())));
    await client.subscribeAsync(`chargeledger/${rt.stationId}/sessions`, { qos: 1 });
  }, 30000);

  afterAll(async () => {
    await client?.endAsync(true);
    if (rt && rt.child.exitCode === null) await rt.stop();
  });

  it('protects the editor and admin API with a login', async () => {
    const base = `http://127.0.0.1:${rt.editorPort}`;
    await waitFor(async () => (await fetch(`${base}/auth/login`).catch(() => null))?.ok, 20000, 200);
    expect((await fetch(`${base}/flows`)).status).toBe(401);
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'admin', password: rt.password }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const nodes = await fetch(`${base}/nodes`, { headers: { authorization: `Bearer ${access_token}`, accept: 'application/json' } });
    const list = (await nodes.json()) as Array<{ module: string; types: string[] }>;
    const ours = list.filter((n) => n.module === 'node-red-contrib-chargeledger').flatMap((n) => n.types);
    expect(ours).toEqual(expect.arrayContaining(['chargeledger-meter', 'chargeledger-session', 'chargeledger-record', 'chargeledger-sync', 'chargeledger-load']));
    // What the editor loads: node HTML with the help from nodes/locales/en-US, and the catalogs.
    const auth = { authorization: `Bearer ${access_token}` };
    const editorHtml = await (await fetch(`${base}/nodes`, { headers: { ...auth, accept: 'text/html', 'accept-language': 'en-US' } })).text();
    expect(editorHtml).toContain('<script type="text/html" data-help-name="chargeledger-meter">');
    expect(editorHtml).toContain('data-i18n="chargeledger-meter.label.port"');
    const catalog = await (await fetch(`${base}/locales/node-red-contrib-chargeledger/chargeledger-meter?lng=en-US`, { headers: auth })).json();
    expect(catalog).toMatchObject({ 'chargeledger-meter': { label: { port: 'Port', meterId: 'Meter id' }, paletteLabel: 'meter' } });
    const bad = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'admin', password: 'wrong' }),
    });
    // Node-RED's OAuth endpoint answers a wrong password with 403 invalid_grant.
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('delivers a signed session record to the broker within 90 s', async () => {
    const rec = await waitFor(() => records[0], 90000, 100);
    expect(rec.stationId).toBe(rt.stationId);
    expect(rec.seq).toBe(1);
    expect(typeof rec.id).toBe('string');
    expect(rec.ocmf).toMatch(/^OCMF\|\{.*\}\|\{.*\}$/);
    expect(rec.session.energyWh).toBeGreaterThan(0);
    expect(rec.session.energyWh).toBe(rec.session.endReading.energyWh - rec.session.startReading.energyWh);
  }, 100000);

  it('lets a logged-in technician download the sessions from the running station', async () => {
    const rec = await waitFor(() => records[0], 90000, 100);
    const base = `http://127.0.0.1:${rt.editorPort}`;
    const url = `${base}/chargeledger/ledger/cl_ledger/sessions?format=csv`;
    expect((await fetch(url)).status).toBe(401);
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'admin', password: rt.password }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const res = await fetch(url, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0].startsWith('seq,id,stationId')).toBe(true);
    expect(lines[1]).toContain(rec.id);
  }, 100000);

  it('shuts down cleanly within 10 s on SIGTERM', async () => {
    const { code, ms } = await rt.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10000);
  }, 15000);
});

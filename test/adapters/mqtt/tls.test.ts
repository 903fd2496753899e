// Mutual TLS against a real mosquitto with `require_certificate true`, using certificates
// generated here with openssl: a CA, a broker certificate for 127.0.0.1 and a client certificate.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UplinkClient } from '../../../src/adapters/mqtt/uplink-client';
import { OutboxPump } from '../../../src/adapters/mqtt/outbox-pump';
import { MemoryOutbox } from '../../../src/adapters/memory-outbox';
import { Receiver } from '../../../src/adapters/receiver/receiver';
import { keyVerifier } from '../../../src/adapters/receiver/verifier';
import { startMosquitto, type TestBroker } from '../../helpers/brokers';
import { needBinary } from '../../helpers/realdeps';
import { waitFor } from '../../helpers/ports';
import { makeRecords, stationKey, toEntries } from '../receiver/signed-records';

const run = needBinary('mosquitto') && needBinary('openssl');

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** CA, server (SAN 127.0.0.1/localhost) and client certificates in `dir`. */
function makeCerts(dir: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ChargeLedger Test CA');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'station-ST-1'}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...ext);
  }
}

describe.runIf(run)('mutual TLS with mosquitto', () => {
  let dir: string;
  let broker: TestBroker;
  const p = (f: string) => path.join(dir, f);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cl-tls-'));
    makeCerts(dir);
    broker = await startMosquitto({ tls: true, listenerLines: [`cafile ${p('ca.crt')}`, `certfile ${p('server.crt')}`, `keyfile ${p('server.key')}`, 'require_certificate true'] });
  });
  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs a record over mutual TLS; a client without a certificate is refused', async () => {
    const key = stationKey();
    const out = path.join(dir, 'out');
    const rx = new Receiver({ brokerUrl: broker.url, outDir: out, verify: keyVerifier(new Map([[key.keyId, key.publicPem]])), clientId: 'rx-tls', caPath: p('ca.crt'), certPath: p('client.crt'), keyPath: p('client.key') });
    await rx.start();
    const outbox = new MemoryOutbox();
    await outbox.add(toEntries(makeRecords('ST-1', key, 1, 2)));
    const uplink = new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: 'st-tls', version: '0.1.0', caPath: p('ca.crt'), certPath: p('client.crt'), keyPath: p('client.key') });
    const pump = new OutboxPump(uplink, outbox);
    pump.start();
    uplink.start();
    await waitFor(async () => (await outbox.size()) === 0);
    expect(rx.stats.stored).toBe(2);
    await pump.stop();
    await uplink.close();
    await rx.close();

    const anonymous = new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: 'st-nocert', version: '0.1.0', caPath: p('ca.crt'), backoff: { initialMs: 50, maxMs: 100, factor: 2 } });
    const errors: Error[] = [];
    anonymous.on('error', (e) => errors.push(e));
    let connected = false;
    anonymous.on('connect', () => (connected = true));
    anonymous.start();
    await waitFor(() => errors.length > 0 || connected, 5000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await anonymous.close();
    expect(connected).toBe(false);
  });

  it('a missing certificate file is a clear error before connecting', () => {
    expect(() => new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: 'x', version: '0', caPath: p('nope.crt') }).start()).toThrow(/cannot read TLS CA .*nope\.crt.*ENOENT/);
    expect(() => new UplinkClient({ brokerUrl: broker.url, stationId: 'ST-1', prefix: 'chargeledger', clientId: 'x', version: '0', certPath: p('client.crt') }).start()).toThrow(/both a client certificate and its key/);
  });
});

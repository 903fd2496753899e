import { loadOrCreateAckKey } from '../../adapters/crypto/ack-keys';
import { loadPublicKeys } from '../../adapters/receiver/keys';
import { Receiver, type ReceiverReport } from '../../adapters/receiver/receiver';
import { keyVerifier } from '../../adapters/receiver/verifier';
import { sessionsSubscription } from '../../core/sync/topics';
import { intOption, parseOptions, UsageError, type Command } from '../usage';

const usage = `Usage: chargeledger receive --broker URL --pubkey FILE|DIR --out DIR [options]

Reference backend receiver: subscribes to every station's records, verifies each record's
signature and its chain per station, appends it to <out>/<stationId>.jsonl (fsynced), and only
then acknowledges it with {"ack":[ids]} on <prefix>/<stationId>/acks. Duplicates (by id) are
acknowledged again but stored once; records with a bad signature or an unknown key go to
<out>/<stationId>.rejected.jsonl. Gaps, duplicates and bad records are reported on stdout as
JSON lines. Runs until SIGINT/SIGTERM.

Options:
  --broker URL          mqtt://host:1883 or mqtts://host:8883
  --pubkey FILE|DIR     station public key (PEM or SPKI hex/base64), or a directory of them
  --out DIR             where the per-station JSONL files go
  --share GROUP         MQTT 5 shared subscription $share/GROUP/<prefix>/+/sessions, so several
                        receivers split the load (each keeps its own --out)
  --prefix P            topic prefix (default chargeledger)
  --client-id ID        client id (default: unique per process, chargeledger-receiver-[<group>-]<host>-<pid>-<random>);
                        never give two running receivers the same one: they throw each other off
  --session-expiry S    MQTT 5 session expiry in seconds (default 86400 alone, 60 with --share:
                        a dead member of a share group keeps taking its share until then; the
                        stations resend whatever it never acked)
  --reorder-window MS   hold records arriving ahead of a gap this long after the chain last
                        grew (default 60000, twice the station's ack timeout, so a receiver
                        that joins late waits for the resent backlog; 0 with --share)
  --ca FILE  --cert FILE  --key FILE   TLS / mutual TLS (PEM)
  --username U          password from the CHARGELEDGER_MQTT_PASSWORD environment variable
  --ack-key FILE        the backend's ack signing key (PKCS#8 PEM, EC P-256); created with its
                        public half FILE.pub.pem when missing. Give the stations that .pub.pem
                        (uplink node 'Backend key'): they remove a record only on a signed ack.
                        Without it the acks are unsigned, and stations that hold a key refuse them.
  --verbose             also report every stored record
`;

/** `chargeledger receive`: the reference receiver as a long-running command. */
export default {
  summary: 'reference backend receiver: verify, store and ack records',
  usage,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      broker: { type: 'string' },
      pubkey: { type: 'string' },
      out: { type: 'string' },
      share: { type: 'string' },
      prefix: { type: 'string' },
      'client-id': { type: 'string' },
      'reorder-window': { type: 'string' },
      'session-expiry': { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      username: { type: 'string' },
      verbose: { type: 'boolean' },
      'ack-key': { type: 'string' },
    });
    for (const required of ['broker', 'pubkey', 'out'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    if (!/^(mqtts?|wss?):\/\//.test(values.broker!)) throw new UsageError(`--broker must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${values.broker}"`);
    const prefix = values.prefix ?? 'chargeledger';
    let subscription: string;
    try {
      subscription = sessionsSubscription(prefix, values.share);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const reorderWindowMs = values['reorder-window'] === undefined ? undefined : intOption(values['reorder-window'], 'reorder-window', 0);
    const keys = loadPublicKeys(values.pubkey!);
    const ackKey = values['ack-key'] ? loadOrCreateAckKey(values['ack-key']) : null;
    if (ackKey?.created) io.stderr(`receive: created the ack signing key ${values['ack-key']}; give the stations ${ackKey.publicKeyFile}\n`);
    const rx = new Receiver({
      brokerUrl: values.broker!,
      prefix,
      share: values.share,
      clientId: values['client-id'],
      sessionExpiryS: values['session-expiry'] === undefined ? undefined : intOption(values['session-expiry'], 'session-expiry', 0),
      outDir: values.out!,
      verify: keyVerifier(keys),
      reorderWindowMs,
      ackSigner: ackKey?.signer,
      caPath: values.ca,
      certPath: values.cert,
      keyPath: values.key,
      username: values.username,
      password: process.env.CHARGELEDGER_MQTT_PASSWORD,
    });
    rx.on('report', (r: ReceiverReport) => {
      if (r.type !== 'stored' || values.verbose) io.stdout(`${JSON.stringify(r)}\n`);
    });
    rx.on('error', (e: Error) => io.stderr(`receive: ${e.message}\n`));
    const stopped = new Promise<number>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        rx.close().then(
          () => resolve(0),
          () => resolve(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      rx.on('crash', (e: Error) => {
        io.stderr(`receive: ${e.message}\n`);
        resolve(1);
      });
    });
    io.stderr(`receive: ${keys.size} key(s); connecting to ${values.broker}\n`);
    await Promise.race([rx.start(), stopped]);
    io.stderr(`receive: subscribed to ${subscription}; storing in ${values.out}\n`);
    const code = await stopped;
    io.stderr(`receive: ${JSON.stringify(rx.stats)}\n`);
    return code;
  },
} satisfies Command;

// Real MQTT brokers for tests: mosquitto as a child process (temp config, persistence on, so it
// can restart with its queues) and aedes in-process (MQTT 3.1.1 only, which exercises fallback).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './ports';
import { hasBinary } from './realdeps';

/** A broker a test can stop and start again on the same port. */
export interface TestBroker {
  kind: 'mosquitto' | 'aedes';
  port: number;
  /** mqtt://127.0.0.1:<port> (mqtts:// when started with TLS lines). */
  url: string;
  /** Go down (connections drop); queued state survives for start(). */
  stop(): Promise<void>;
  /** Come back on the same port. */
  start(): Promise<void>;
  /** Stop for good and remove temp files. */
  close(): Promise<void>;
  /** The in-process aedes instance (for authenticate hooks), aedes only. */
  aedes?: { authenticate: (client: unknown, username: string | undefined, password: Buffer | undefined, done: (err: Error | null, ok: boolean) => void) => void };
}

/** Path of the mosquitto binary (/usr/sbin is often not on PATH). */
export function mosquittoBinary(): string {
  if (hasBinary('mosquitto')) return 'mosquitto';
  return '/usr/sbin/mosquitto';
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Start mosquitto on a free port; `listenerLines` are extra lines for the listener (TLS);
 * `authLines` replace `allow_anonymous true` (password file, ACL file).
 */
export async function startMosquitto(opts: { listenerLines?: string[]; tls?: boolean; authLines?: string[] } = {}): Promise<TestBroker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      `listener ${port} 127.0.0.1`,
      ...(opts.listenerLines ?? []),
      ...(opts.authLines ?? ['allow_anonymous true']),
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 100000',
      'max_inflight_messages 100',
      'user root',
      `log_type ${process.env.CL_MOSQ_LOG ? 'all' : 'error'}`,
      process.env.CL_MOSQ_LOG ? `log_dest file ${process.env.CL_MOSQ_LOG}` : 'log_dest stderr',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | null = null;
  let stderr = '';
  const start = async (): Promise<void> => {
    proc = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => (stderr += String(d)));
    const p = proc;
    await waitFor(async () => {
      if (p.exitCode !== null) throw new Error(`mosquitto exited ${p.exitCode}: ${stderr}`);
      return portOpen(port);
    }, 10_000);
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    kind: 'mosquitto',
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start aedes in-process on a free port; stop() closes the listener and drops clients, keeping its in-memory state. */
export async function startAedes(): Promise<TestBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const start = async (): Promise<void> => {
    const srv = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    server = srv;
  };
  const stop = async (): Promise<void> => {
    const srv = server;
    server = null;
    if (!srv) return;
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  };
  await start();
  return {
    kind: 'aedes',
    aedes: broker as unknown as TestBroker['aedes'],
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop();
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

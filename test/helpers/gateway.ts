// A fake serial-over-TCP gateway (ser2net, RS-485-to-Ethernet) on a given port: tests write the
// meter's bytes to every connected controller and stop it to simulate a reboot.
import { createServer, type Server, type Socket } from 'node:net';

/** A listening fake gateway. */
export interface FakeGateway {
  /** Resolves once listening. */
  ready: Promise<void>;
  /** The controllers connected now. */
  sockets: Set<Socket>;
  /** Drop every connection and stop listening (the reboot). */
  stop(): Promise<void>;
  /** Send bytes to every connected controller. */
  send(text: string): void;
}

/** Start a fake gateway on 127.0.0.1:`port`. */
export function fakeGateway(port: number): FakeGateway {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  const ready = new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  const stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      srv.close(() => r());
    });
  return { ready, sockets, stop, send: (t: string) => sockets.forEach((s) => s.write(t)) };
}

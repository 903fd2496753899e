// The pump's own rules, on an in-memory link (the broker tests cover the wire): rate limit,
// bounded window, resend after the ack timeout, and removal only on the backend's ack.
import { describe, it, expect, afterEach } from 'vitest';
import { EventEmitter } from 'node:events';
import { OutboxPump, type PumpLink } from '../../../src/adapters/mqtt/outbox-pump';
import { MemoryOutbox } from '../../../src/adapters/memory-outbox';
import { AckGuard } from '../../../src/adapters/mqtt/ack-guard';
import { waitFor } from '../../helpers/ports';

/** A connected link that records publications and lets the test play the backend. */
class LoopLink extends EventEmitter implements PumpLink {
  connected = true;
  readonly topics = { sessions: 'p/S/sessions', acks: 'p/S/acks' };
  readonly sent: Array<{ seq: number; atMs: number }> = [];
  private ackHandler: ((p: Buffer) => void) | null = null;
  async publish(_topic: string, payload: string | Buffer): Promise<void> {
    this.sent.push({ seq: JSON.parse(String(payload)).seq, atMs: Date.now() });
  }
  subscribe(_topic: string, _qos: 0 | 1, handler: (p: Buffer) => void): void {
    this.ackHandler = handler;
  }
  unsubscribe(): void {
    this.ackHandler = null;
  }
  get subscribed(): boolean {
    return this.ackHandler !== null;
  }
  ack(body: string): void {
    this.ackHandler?.(Buffer.from(body));
  }
}

const entries = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => ({ id: `r${a + i}`, seq: a + i, payload: JSON.stringify({ seq: a + i }) }));
const pumps: OutboxPump[] = [];
afterEach(async () => {
  for (const p of pumps.splice(0)) await p.stop();
});
function pump(link: LoopLink, outbox: MemoryOutbox, opts: ConstructorParameters<typeof OutboxPump>[2]): OutboxPump {
  const p = new OutboxPump(link, outbox, { pollMs: 50, ...opts });
  p.on('error', () => undefined);
  pumps.push(p);
  p.start();
  return p;
}

describe('OutboxPump', () => {
  it('replays no faster than the token bucket allows', async () => {
    const link = new LoopLink();
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 40));
    const t0 = Date.now();
    pump(link, outbox, { rate: { ratePerS: 40, burst: 5 }, maxInFlight: 100 });
    await waitFor(() => link.sent.length >= 20, 5000);
    // 20 records at 40/s after a burst of 5 need at least (20 - 5) / 40 s.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(((20 - 5) / 40) * 1000 - 30);
    expect(link.sent.map((s) => s.seq).slice(0, 20)).toEqual(entries(1, 20).map((e) => e.seq));
  });

  it('keeps at most maxInFlight unacknowledged, PUBACK removes nothing, the ack frees room', async () => {
    const link = new LoopLink();
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 30));
    const p = pump(link, outbox, { rate: { ratePerS: 10_000, burst: 100 }, maxInFlight: 8, ackTimeoutMs: 60_000 });
    await waitFor(() => link.sent.length === 8);
    await new Promise((r) => setTimeout(r, 150));
    expect(link.sent.length).toBe(8);
    expect(p.inFlight).toBe(8);
    expect(await outbox.size()).toBe(30);
    link.ack(JSON.stringify({ ack: ['r1', 'r2', 'r3'] }));
    await waitFor(() => link.sent.length === 11);
    expect(await outbox.size()).toBe(27);
    expect(link.sent.map((s) => s.seq)).toEqual(entries(1, 11).map((e) => e.seq));
  });

  it('sends unacknowledged records again after the ack timeout, oldest first', async () => {
    const link = new LoopLink();
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 3));
    pump(link, outbox, { rate: { ratePerS: 10_000, burst: 100 }, ackTimeoutMs: 200 });
    await waitFor(() => link.sent.length === 3);
    link.ack('{"ack":["r2"]}');
    await waitFor(() => link.sent.length === 5, 3000);
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3, 1, 3]);
    expect(link.sent[3]!.atMs - link.sent[0]!.atMs).toBeGreaterThanOrEqual(190);
  });

  it('ignores a malformed ack and reports it', async () => {
    const link = new LoopLink();
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 2));
    const p = pump(link, outbox, {});
    const refused: Array<{ refusal: string; reason: string }> = [];
    p.on('refused', (v: { refusal: string; reason: string }) => refused.push(v));
    await waitFor(() => link.sent.length === 2);
    link.ack('{"ack":"r1"}');
    await waitFor(() => refused.length === 1);
    expect(refused[0]).toMatchObject({ refusal: 'malformed', reason: expect.stringMatching(/array/) });
    expect(await outbox.size()).toBe(2);
  });

  it('stops listening for acks during a flood and listens again after the pause', async () => {
    const link = new LoopLink();
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 2));
    const guard = new AckGuard({ stationId: 'S', verify: null, rate: { ratePerS: 1, burst: 1 } });
    const p = pump(link, outbox, { ackGuard: guard, floodPauseMs: 300 });
    const events: string[] = [];
    p.on('acks-paused', (ms: number) => events.push(`paused ${ms}`));
    p.on('acks-resumed', () => events.push('resumed'));
    await waitFor(() => link.sent.length === 2);
    for (let i = 0; i < 150 && link.subscribed; i++) link.ack('{"ack":["r9"]}');
    expect(events).toEqual(['paused 300']);
    expect(link.subscribed).toBe(false);
    await waitFor(() => link.subscribed, 3000);
    expect(events).toEqual(['paused 300', 'resumed']);
    await new Promise((r) => setTimeout(r, 1000)); // the intake refills
    link.ack('{"ack":["r1"]}');
    await waitFor(async () => (await outbox.size()) === 1);
  });

  it('sends nothing while offline and starts again from the oldest record on reconnection', async () => {
    const link = new LoopLink();
    link.connected = false;
    const outbox = new MemoryOutbox();
    await outbox.add(entries(1, 3));
    pump(link, outbox, { rate: { ratePerS: 10_000, burst: 100 } });
    await new Promise((r) => setTimeout(r, 150));
    expect(link.sent).toEqual([]);
    link.connected = true;
    link.emit('connect');
    await waitFor(() => link.sent.length === 3);
    link.emit('offline');
    link.emit('connect');
    await waitFor(() => link.sent.length === 6);
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3, 1, 2, 3]);
  });
});

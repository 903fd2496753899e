import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MeterFeed } from '../../../src/adapters/serial/meter-feed';
import type { MeterLink } from '../../../src/adapters/serial/meter-link';
import { loadProfile } from '../../../src/adapters/profiles';
import { createMeterDecoder } from '../../../src/core/meter/decoder';
import type { DecodeEvent } from '../../../src/core/meter/events';
import { dsmrTelegram } from '../../helpers/dsmr-telegram';

// The link is an event source here: what is under test is the timing of the decode, which a
// real port would only blur.
function feedWithFakeLink() {
  const link = Object.assign(new EventEmitter(), { isConnected: true }) as unknown as MeterLink;
  let t = 0;
  const feed = new MeterFeed(link, createMeterDecoder(loadProfile('simulator')), () => ({ timeMs: 1_764_000_000_000 + t, monoMs: t++ }));
  const events: DecodeEvent[] = [];
  feed.on('decoded', (ev: DecodeEvent) => events.push(ev));
  return { link: link as unknown as EventEmitter, events, feed };
}

describe('MeterFeed', () => {
  it('emits the reading synchronously on the last line of the telegram, not before', () => {
    const { link, events } = feedWithFakeLink();
    const lines = dsmrTelegram({ meterId: 'CP1-1', importWh: 42_000, powerW: 3_700 }).split('\n').slice(0, -1);
    for (const line of lines.slice(0, -1)) link.emit('line', line);
    expect(events).toHaveLength(0);
    link.emit('line', lines[lines.length - 1]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ok: true, reading: { meterId: 'CP1-1', energyImportWh: 42_000, powerW: 3_700 } });
  });

  it('reports a telegram cut by a disconnection as truncated, before the state change', () => {
    const { link, events, feed } = feedWithFakeLink();
    const order: string[] = [];
    const lines = dsmrTelegram({ meterId: 'CP1-1', importWh: 1 }).split('\n');
    for (const line of lines.slice(0, 5)) link.emit('line', line);
    feed.on('decoded', () => order.push('decoded'));
    feed.on('state', () => order.push('state'));
    link.emit('state', { connected: false, error: new Error('gone') });
    expect(events).toEqual([expect.objectContaining({ ok: false, reason: 'truncated' })]);
    expect(order).toEqual(['decoded', 'state']);
  });
});

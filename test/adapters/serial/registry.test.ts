import { describe, expect, it } from 'vitest';
import { SharedRegistry } from '../../../src/adapters/serial/registry';

function res(name: string) {
  return { name, closed: false };
}

describe('SharedRegistry', () => {
  it('opens a port once for several users and closes after the last one', async () => {
    const reg = new SharedRegistry<ReturnType<typeof res>>();
    let created = 0;
    const mk = () => (created++, res('a'));
    const dispose = (r: { closed: boolean }) => void (r.closed = true);
    const a = await reg.acquire('/dev/ttyUSB0', 'cfg1', mk, dispose);
    const b = await reg.acquire('/dev/ttyUSB0', 'cfg1', mk, dispose);
    expect(a).toBe(b);
    expect(created).toBe(1);
    expect(reg.refs('/dev/ttyUSB0')).toBe(2);
    reg.release('/dev/ttyUSB0', a);
    expect(a.closed).toBe(false);
    reg.release('/dev/ttyUSB0', a);
    expect(a.closed).toBe(true);
    expect(reg.has('/dev/ttyUSB0')).toBe(false);
  });

  it('a lingering port is reused by an identical config (plain redeploy)', async () => {
    const reg = new SharedRegistry<ReturnType<typeof res>>();
    const a = await reg.acquire('p', 'cfg1', () => res('a'), (r) => void (r.closed = true));
    reg.release('p', a, 10_000);
    expect(reg.has('p')).toBe(true);
    const b = await reg.acquire('p', 'cfg1', () => res('b'), (r) => void (r.closed = true));
    expect(b).toBe(a);
    expect(a.closed).toBe(false);
    await reg.closeAll();
    expect(a.closed).toBe(true);
  });

  it('a lingering port with other settings is closed before the new one opens', async () => {
    const reg = new SharedRegistry<ReturnType<typeof res>>();
    const order: string[] = [];
    const a = await reg.acquire('p', 'cfg1', () => res('a'), async (r) => {
      await new Promise((ok) => setTimeout(ok, 20));
      r.closed = true;
      order.push('closed a');
    });
    reg.release('p', a, 10_000);
    const b = await reg.acquire('p', 'cfg2', () => (order.push('open b'), res('b')), () => undefined);
    expect(b).not.toBe(a);
    expect(order).toEqual(['closed a', 'open b']);
  });

  it('refuses a second config for a port in use', async () => {
    const reg = new SharedRegistry<ReturnType<typeof res>>();
    await reg.acquire('p', 'cfg1', () => res('a'), () => undefined);
    await expect(reg.acquire('p', 'cfg2', () => res('b'), () => undefined)).rejects.toThrow(/already in use with other settings/);
  });

  it('lingering expires and closes', async () => {
    const reg = new SharedRegistry<ReturnType<typeof res>>();
    const a = await reg.acquire('p', 'c', () => res('a'), (r) => void (r.closed = true));
    reg.release('p', a, 20);
    await new Promise((ok) => setTimeout(ok, 60));
    expect(a.closed).toBe(true);
    // A stale release of an already-closed resource is ignored.
    reg.release('p', a);
  });
});

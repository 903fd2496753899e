// The meter node with telegrams as real meters send them (unusual headers, gateway trailers,
// corrupt input), fed through a real socat pseudo-terminal pair.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeRed } from '../helpers/nodered';
import { needBinary } from '../helpers/realdeps';
import type { PtyPair } from '../helpers/socat';
import { fastSettings, meterFlow, meterModules, newPty, recordMsgs, recordStatus, waitForItem } from './meter-support';

const stops: Array<() => unknown> = [];
beforeEach(() => fastSettings());
afterEach(async () => {
  await nodeRed.unload();
  while (stops.length) await stops.pop()!();
});

const dsmrFixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/dsmr', name), 'latin1');

async function started(): Promise<PtyPair> {
  const pty = newPty();
  stops.push(() => pty.stop());
  await pty.start();
  return pty;
}

describe.runIf(needBinary('socat'))('chargeledger-meter with field telegrams over a real pty', () => {
  it('reads an Iskra telegram whose header carries a raw STX, without a rejection', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { profile: 'generic-dsmr' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    pty.write(dsmrFixture('telegram_v5_iskra_stx.txt'));
    const r = await waitForItem(readings, () => true);
    expect(r).toMatchObject({ topic: 'K8EG004046395507', payload: { energyImportWh: 6825, energyExportWh: 2444 } });
    await waitForItem(status, (s) => s.fill === 'green');
    expect(health.map((m) => `${m.topic}:${m.payload.state}`)).toEqual(['K8EG004046395507:ok']);
    expect(health[0].payload.errors).toEqual({});
  });

  it('reads a meter behind a gateway that appends a trailer after every "!", never turning corrupt', async () => {
    const pty = await started();
    await nodeRed.load(meterModules(), meterFlow(pty.hostPath, { profile: 'generic-dsmr' }));
    const readings = recordMsgs('readings');
    const health = recordMsgs('health');
    const status = recordStatus('meter');
    await waitForItem(status, (s) => s.text === 'waiting for data');
    // The EasyMeter behind its COM-1 Ethernet gateway: no CRC, two trailer lines after "!"; it
    // names no 0-0:96.1.1, so the reading goes under the profile name. The trailers of the first
    // two telegrams are read before the third reading.
    const esy = dsmrFixture('telegram_esy5q3da1004_v304.txt');
    for (const kwh of ['00032549.5061662', '00032549.6061662', '00032549.7061662']) pty.write(esy.replace('00032549.5061662', kwh));
    await waitForItem(readings, (m) => m.payload.energyImportWh === 32549706);
    expect(readings.map((m) => m.payload.energyImportWh)).toEqual([32549506, 32549606, 32549706]);
    expect(health.map((m) => `${m.topic}:${m.payload.state}`)).toEqual(['generic-dsmr:ok']);
    expect(health[0].payload.errors).toEqual({});
    expect(status.some((s) => s.fill === 'red')).toBe(false);
  });
});

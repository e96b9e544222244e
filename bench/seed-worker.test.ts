import { describe, expect, it } from 'vitest';
import { formatLostReadings, measureLostReadings } from './seed-worker';

describe('bench: the seed Worker against ours', () => {
  it('measures both on the same burst; ours keeps every reading under the device that sent it', async () => {
    const report = await measureLostReadings({ devices: 20, postsPerDevice: 10, rounds: 1, kvLatencyMs: 10 });
    expect(report.sent).toBe(200);
    expect(report.certfleet).toMatchObject({ accepted: 200, stored: 200, lost: 0, misattributed: 0 });
    // The seed answers 201 to everything, whatever it then keeps.
    expect(report.seed.accepted).toBe(200);
    expect(report.seed.stored + report.seed.lost).toBe(200);
    // Its shared `defaultData` leaks the first readings of each new device into the next one's list.
    expect(report.seed.misattributed).toBeGreaterThan(0);
    // With KV a network hop away, the read-modify-write race drops readings.
    expect(report.seedWithKvLatency!.lost).toBeGreaterThan(0);
    expect(formatLostReadings(report)).toContain('| certfleet (Durable Object per certificate) | 200 | 200 | 200 | 0 (0) | 0 |');
  });
});

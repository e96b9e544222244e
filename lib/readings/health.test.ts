import { describe, expect, it } from 'vitest';
import { DEMO_FLEET } from '@/lib/demo/fleet';
import { classifyHealth, type Health } from './health';

const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe('classifyHealth', () => {
  it.each<[string, number, Health, Date | null]>([
    ['never reported', 60, 'silent', null],
    ['just now', 60, 'live', ago(0)],
    ['a clock slightly ahead', 60, 'live', new Date(now.getTime() + 5_000)],
    ['exactly 2 intervals', 60, 'live', ago(120)],
    ['just over 2 intervals', 60, 'late', ago(121)],
    ['exactly 10 intervals', 60, 'late', ago(600)],
    ['just over 10 intervals', 60, 'missing', ago(601)],
    ['a 5-minute reporter 9 minutes ago', 300, 'live', ago(9 * 60)],
    ['a 5-minute reporter 40 minutes ago', 300, 'late', ago(40 * 60)],
    ['exactly 24 h', 60, 'missing', ago(86_400)],
    ['just over 24 h', 60, 'silent', ago(86_401)],
    ['an hourly reporter 20 h ago', 3600, 'missing', ago(20 * 3600)],
    ['an hourly reporter 11 h ago', 3600, 'missing', ago(11 * 3600)],
    ['a daily reporter 3 days ago: late, 24 h do not make it silent', 86_400, 'late', ago(3 * 86_400)],
    ['a daily reporter 11 days ago', 86_400, 'silent', ago(11 * 86_400)],
  ])('%s, reporting every %i s → %s', (_label, interval, expected, lastSeenAt) => {
    expect(classifyHealth(lastSeenAt, interval, now)).toBe(expected);
  });

  it('agrees with the demo fleet’s intended health for every seeded device', () => {
    for (const device of DEMO_FLEET) {
      expect(classifyHealth(ago(device.lastSeenSecondsAgo), device.reportIntervalSec, now), device.name).toBe(device.health);
    }
  });
});

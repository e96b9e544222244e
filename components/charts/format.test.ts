import { describe, expect, it } from 'vitest';
import { markerRows, timeTicks } from './format';

const H = 3_600_000;

describe('timeTicks', () => {
  it('gives a short range several round ticks, not one', () => {
    const from = Date.UTC(2026, 11, 6, 10, 7);
    const ticks = timeTicks(from, from + H);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    // Evenly spaced on round minutes.
    const steps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]!));
    expect(steps.size).toBe(1);
    expect(ticks.every((t) => t % 60_000 === 0)).toBe(true);
  });

  it('keeps a week to round days at regular steps', () => {
    const from = Date.UTC(2026, 10, 29, 13, 30);
    const ticks = timeTicks(from, from + 7 * 24 * H);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(12);
    expect(new Set(ticks.slice(1).map((t, i) => t - ticks[i]!)).size).toBe(1);
  });

  it('splits a range shorter than any step', () => {
    expect(timeTicks(0, 90_000)).toHaveLength(3);
  });
});

describe('markerRows', () => {
  it('puts markers at nearly the same time on different rows, far ones on the first', () => {
    const from = 0;
    const to = 100 * H;
    expect(markerRows([10 * H, 10.5 * H, 60 * H], from, to)).toEqual([0, 1, 0]);
  });
});

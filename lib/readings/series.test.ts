import { describe, expect, it } from 'vitest';
import { deviceChartRows, fleetChartRows, gapThresholdMs } from './series';

const b = (t: number, v: number, count = 1) => ({ t, min: v - 1, max: v + 1, avg: v, count });

describe('chart rows', () => {
  it('breaks the device line only at gaps longer than the threshold', () => {
    const w = 120;
    const gap = gapThresholdMs(w, 60); // 10 × 120 s
    expect(gap).toBe(1_200_000);
    const rows = deviceChartRows([b(0, 1), b(240_000, 2), b(240_000 + 1_200_000, 3), b(240_000 + 1_200_001 + 1_200_000, 4)], w, gap);
    expect(rows.map((r) => [r.t, r.avg])).toEqual([
      [0, 1],
      [240_000, 2],
      [1_440_000, 3],
      [1_440_000 + 120_000, null],
      [2_640_001, 4],
    ]);
    expect(rows[0]!.band).toEqual([0, 2]);
    expect(rows[3]!.band).toBeNull();
  });

  it('merges fleet series by bucket start, with the average', () => {
    const rows = fleetChartRows([{ points: [b(0, 1.23456), b(60, 2)] }, { points: [b(60, 5)] }], [b(0, 1.5), b(60, 3.5)]);
    expect(rows).toEqual([
      { t: 0, s0: 1.235, avg: 1.5 },
      { t: 60, s0: 2, s1: 5, avg: 3.5 },
    ]);
  });
});

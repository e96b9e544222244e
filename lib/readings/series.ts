// Shapes bucketed readings into the rows Recharts draws. Pure and browser-safe; the server calls it so the page
// ships rows ready to draw and the chart component only draws.

import type { Bucket } from './buckets';

export interface DeviceChartRow {
  /** Bucket start, ms since the epoch. */
  t: number;
  /** [min, max] of the bucket: the band. null breaks the band and the line (a gap in reporting). */
  band: [number, number] | null;
  avg: number | null;
  count: number;
}

/**
 * A gap worth showing: no reading for 10 reporting intervals (a "late" device, lib/readings/health.ts) and at
 * least 10 buckets. Shorter holes are the seeded 5-minute history or buckets narrower than the interval, and
 * breaking the line there would turn it into dots.
 */
export function gapThresholdMs(widthSeconds: number, reportIntervalSec: number): number {
  return 10 * Math.max(widthSeconds, reportIntervalSec) * 1000;
}

/** One row per bucket, plus a null row inside each gap longer than `gapMs` so Recharts breaks the line there. */
export function deviceChartRows(points: readonly Bucket[], widthSeconds: number, gapMs: number): DeviceChartRow[] {
  const rows: DeviceChartRow[] = [];
  let previous: Bucket | undefined;
  for (const p of points) {
    if (previous && p.t - previous.t > gapMs) {
      rows.push({ t: previous.t + widthSeconds * 1000, band: null, avg: null, count: 0 });
    }
    rows.push({ t: p.t, band: [p.min, p.max], avg: p.avg, count: p.count });
    previous = p;
  }
  return rows;
}

/** A row of the fleet chart: `t`, then `s<i>` = device i's average and `avg` = the selection's average. */
export type FleetChartRow = { t: number } & Record<string, number>;

export function seriesKey(index: number): string {
  return `s${index}`;
}

/** Merges each device's buckets and the average into rows by bucket start (all share one width and origin). */
export function fleetChartRows(series: readonly { points: readonly Bucket[] }[], average: readonly Bucket[]): FleetChartRow[] {
  const byT = new Map<number, FleetChartRow>();
  const row = (t: number) => {
    let r = byT.get(t);
    if (!r) byT.set(t, (r = { t } as FleetChartRow));
    return r;
  };
  series.forEach((s, i) => {
    for (const p of s.points) row(p.t)[seriesKey(i)] = round(p.avg);
  });
  for (const p of average) row(p.t).avg = round(p.avg);
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

/** Averages to 3 decimals: a thousandth of a degree is below any sensor's resolution and halves the payload. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

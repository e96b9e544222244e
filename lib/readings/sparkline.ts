// A small helper for other pages (the device list, the overview): each device's recent temperatures as a few
// dozen averages, bucketed in SQL like the charts. Draw them with components/charts/sparkline.tsx.

import { bucketWidthSeconds, queryDeviceBuckets, type SqlRunner } from './buckets';

export interface Sparkline {
  /** Average per bucket, oldest first; buckets without readings are left out. */
  values: number[];
  min: number | null;
  max: number | null;
  last: number | null;
}

/**
 * Recent readings of several devices as sparklines: `points` buckets (default 48) over the last `hours` (default
 * 24). Pass a runner over your Prisma client: `(text, values) => prisma.$queryRawUnsafe(text, ...values)`. The
 * caller checks 'readings:view' first, as any read of readings must.
 */
export async function readingSparklines(
  run: SqlRunner,
  deviceIds: readonly string[],
  opts: { hours?: number; points?: number; now?: Date } = {},
): Promise<Map<string, Sparkline>> {
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - (opts.hours ?? 24) * 3_600_000);
  const widthSeconds = bucketWidthSeconds(from.getTime(), to.getTime(), opts.points ?? 48);
  const { buckets } = await queryDeviceBuckets(run, { deviceIds, from, to, widthSeconds });
  const out = new Map<string, Sparkline>();
  for (const id of deviceIds) {
    const points = buckets.get(id) ?? [];
    out.set(id, {
      values: points.map((p) => Math.round(p.avg * 100) / 100),
      min: points.length ? Math.min(...points.map((p) => p.min)) : null,
      max: points.length ? Math.max(...points.map((p) => p.max)) : null,
      last: points.at(-1)?.avg ?? null,
    });
  }
  return out;
}

// Readings bucketed in SQL: min/max/avg/count per fixed-width time bucket, so a chart gets at most ~1,000
// points per series whatever the range. Pure SQL text plus a tiny runner interface, so the app (Prisma), the
// benchmark (pg, PGlite) and the tests all run exactly the same statement.

/** At most this many buckets per series, whatever the range. */
export const MAX_POINTS = 1000;

/**
 * Widths a person can read off a tooltip ("5 min", "3 h"), in seconds. The width for a range is the first one
 * at or above range / (MAX_POINTS − 1): one bucket less than the cap because a range that does not start on a
 * bucket boundary touches one more bucket than range / width.
 */
export const NICE_WIDTHS_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800,
  604_800, 1_209_600, 2_592_000, 7_776_000, 31_536_000,
] as const;

/** The bucket width (seconds) for a range, so that [fromMs, toMs) spans at most `maxPoints` buckets. */
export function bucketWidthSeconds(fromMs: number, toMs: number, maxPoints = MAX_POINTS): number {
  const spanSeconds = Math.max(1, (toMs - fromMs) / 1000);
  const wanted = spanSeconds / Math.max(1, maxPoints - 1);
  const nice = NICE_WIDTHS_SECONDS.find((w) => w >= wanted);
  // Beyond a year per bucket: whole days, still a readable step.
  return nice ?? Math.ceil(wanted / 86_400) * 86_400;
}

/** Buckets [fromMs, toMs) touches at a given width: the bound bucketWidthSeconds keeps under the cap. */
export function bucketCount(fromMs: number, toMs: number, widthSeconds: number): number {
  const w = widthSeconds * 1000;
  return Math.floor((toMs - 1) / w) - Math.floor(fromMs / w) + 1;
}

/** "5 min", "3 h", "1 d": how a tooltip names a bucket width. */
export function formatBucketWidth(widthSeconds: number): string {
  if (widthSeconds % 86_400 === 0) return `${widthSeconds / 86_400} d`;
  if (widthSeconds % 3_600 === 0) return `${widthSeconds / 3_600} h`;
  if (widthSeconds % 60 === 0) return `${widthSeconds / 60} min`;
  return `${widthSeconds} s`;
}

/** One bucket of one series. `t` is the bucket's start (ms since the epoch, aligned to the width in UTC). */
export interface Bucket {
  t: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

export interface DeviceBucket extends Bucket {
  deviceId: string;
}

/**
 * Runs one parameterised statement and returns its rows. Prisma: `(text, values) => prisma.$queryRawUnsafe(text,
 * ...values)`; pg: `(text, values) => client.query(text, values).then((r) => r.rows)`; PGlite alike.
 */
export type SqlRunner = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Run before each chart or flag query, in the same transaction. PostgreSQL's JIT compiler starts on any plan
 * whose estimated cost passes jit_above_cost, which a query over a 13 M-row table reaches however few rows it
 * reads when the planner misjudges the layout: 2.5 s of compiling for a 10 ms flag scan in one benchmark layout,
 * +1 s on the 90-day flag scan in the realistic one, and no gain on the charts (docs/benchmarks.md). PGlite has
 * no JIT; the setting is accepted and changes nothing there.
 * @see https://www.postgresql.org/docs/current/jit-decision.html
 */
export const ANALYTIC_QUERY_SETTINGS = 'SET LOCAL jit = off';

export interface BucketQuery {
  deviceIds: readonly string[];
  from: Date;
  to: Date;
  /** Defaults to bucketWidthSeconds(from, to). */
  widthSeconds?: number;
}

/*
 * Buckets are aligned to the epoch (date_bin with origin 1970-01-01 UTC), not to `from`: the same instant
 * falls in the same bucket on every request, so a chart does not shimmer as "now" moves, and a test can name
 * a bucket's boundaries. The range filter is on the raw `time`, so every reading in [from, to) lands in
 * exactly one bucket and the min of mins / max of maxes are the range's true extremes.
 * Counts are cast to int and times to float8 ms so every driver returns plain numbers.
 */
const BUCKET_EXPR = `date_bin(make_interval(secs => $4::float8), "time", TIMESTAMPTZ 'epoch')`;

const HOUR_MS = 3_600_000;

/**
 * Where a range may read the hourly rollup ("ReadingHour", kept by triggers on "Reading"): buckets of whole
 * hours (every nice width from 1 h up is one), epoch-aligned like the hours, so each hour lies inside one
 * bucket. The whole hours of [from, to) come from the rollup and the cut hours at either end from the raw
 * readings: the same min, max, count and (up to rounding) mean as the raw query, from ~2,000 rows instead of
 * ~130,000 for 90 days. Null when the range holds no whole hour or the width is finer than an hour.
 */
function rollupWindow(q: BucketQuery, widthSeconds: number): { hoursFrom: string; hoursTo: string } | null {
  if (widthSeconds % 3_600 !== 0) return null;
  const hoursFrom = Math.ceil(q.from.getTime() / HOUR_MS) * HOUR_MS;
  const hoursTo = Math.floor(q.to.getTime() / HOUR_MS) * HOUR_MS;
  if (hoursTo <= hoursFrom) return null;
  return { hoursFrom: new Date(hoursFrom).toISOString(), hoursTo: new Date(hoursTo).toISOString() };
}

/** min/max/sum/count rows of [from, to) for the devices: rollup hours plus the raw readings of the cut hours. */
const ROLLED_SOURCE = `
  SELECT "deviceId", "hour" AS "time", "min" AS mn, "max" AS mx, "sum" AS s, "count" AS n
    FROM "ReadingHour"
   WHERE "deviceId" = ANY($1::text[]) AND "hour" >= $5::timestamptz AND "hour" < $6::timestamptz
  UNION ALL
  SELECT "deviceId", "time", temperature, temperature, temperature, 1
    FROM "Reading"
   WHERE "deviceId" = ANY($1::text[])
     AND (("time" >= $2::timestamptz AND "time" < $5::timestamptz) OR ("time" >= $6::timestamptz AND "time" < $3::timestamptz))`;

type BucketSql = { text: string; values: unknown[]; widthSeconds: number };

/**
 * SQL for the buckets of [from, to): per device (`perDevice`), or one series over all the devices together.
 * Read from the raw readings, or, when `rollup` allows and the range has whole hours, through the hourly rollup.
 */
function bucketsSql(q: BucketQuery, { perDevice, rollup }: { perDevice: boolean; rollup: boolean }): BucketSql {
  const widthSeconds = q.widthSeconds ?? bucketWidthSeconds(q.from.getTime(), q.to.getTime());
  const window = rollup ? rollupWindow(q, widthSeconds) : null;
  const device = perDevice ? '"deviceId", ' : '';
  const rows = window
    ? `min(mn) AS min_t, max(mx) AS max_t, (sum(s) / sum(n))::float8 AS avg_t, sum(n)::int AS n
                     FROM (${ROLLED_SOURCE}) AS src`
    : `min("temperature") AS min_t, max("temperature") AS max_t,
                          avg("temperature") AS avg_t, count(*)::int AS n
                     FROM "Reading"
                    WHERE "deviceId" = ANY($1::text[]) AND "time" >= $2::timestamptz AND "time" < $3::timestamptz`;
  const values = [q.deviceIds, q.from.toISOString(), q.to.toISOString(), widthSeconds];
  return {
    widthSeconds,
    text: `SELECT ${perDevice ? '"deviceId" AS "deviceId", ' : ''}(extract(epoch FROM b) * 1000)::float8 AS t,
                  min_t AS min, max_t AS max, avg_t AS avg, n AS count
             FROM (SELECT ${device}${BUCKET_EXPR} AS b,
                          ${rows}
                    GROUP BY ${perDevice ? '1, 2' : '1'}) AS g
            ORDER BY ${device}t`,
    values: window ? [...values, window.hoursFrom, window.hoursTo] : values,
  };
}

/** SQL for per-device buckets from raw readings only (what the rollup path must equal). */
export const rawDeviceBucketsSql = (q: BucketQuery) => bucketsSql(q, { perDevice: true, rollup: false });
/** SQL for one series over all the given devices, from raw readings only (what the rollup path must equal). */
export const rawCombinedBucketsSql = (q: BucketQuery) => bucketsSql(q, { perDevice: false, rollup: false });
/** SQL for per-device buckets: one row per (device, bucket) that holds readings. */
export const deviceBucketsSql = (q: BucketQuery) => bucketsSql(q, { perDevice: true, rollup: true });
/** SQL for one series over all the given devices together (the fleet average line). */
export const combinedBucketsSql = (q: BucketQuery) => bucketsSql(q, { perDevice: false, rollup: true });

/** Per-device buckets of [from, to), at most MAX_POINTS per device, oldest first. */
export async function queryDeviceBuckets(
  run: SqlRunner,
  q: BucketQuery,
): Promise<{ widthSeconds: number; buckets: Map<string, Bucket[]> }> {
  const { text, values, widthSeconds } = deviceBucketsSql(q);
  const buckets = new Map<string, Bucket[]>(q.deviceIds.map((id) => [id, []]));
  for (const row of await run(text, values)) {
    const deviceId = String(row.deviceId);
    buckets.get(deviceId)?.push(toBucket(row));
  }
  return { widthSeconds, buckets };
}

/** One series over all the given devices (fleet average), at most MAX_POINTS, oldest first. */
export async function queryCombinedBuckets(run: SqlRunner, q: BucketQuery): Promise<{ widthSeconds: number; buckets: Bucket[] }> {
  const { text, values, widthSeconds } = combinedBucketsSql(q);
  return { widthSeconds, buckets: (await run(text, values)).map(toBucket) };
}

/** The range's extremes and mean, from the buckets alone (exact: the buckets partition the range). */
export function summarise(buckets: readonly Bucket[]): { min: number | null; max: number | null; avg: number | null; count: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (const b of buckets) {
    if (b.min < min) min = b.min;
    if (b.max > max) max = b.max;
    sum += b.avg * b.count;
    count += b.count;
  }
  return count ? { min, max, avg: sum / count, count } : { min: null, max: null, avg: null, count: 0 };
}

function toBucket(row: Record<string, unknown>): Bucket {
  return { t: Number(row.t), min: Number(row.min), max: Number(row.max), avg: Number(row.avg), count: Number(row.count) };
}

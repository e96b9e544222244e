import 'server-only';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { DEFAULT_EXPIRY_THRESHOLDS, EXPIRY_BANDS_SETTING, type ExpiryBand, expiryBands, expiryRange } from '@/lib/expiry/bands';
import { ExpiryThresholdsSchema } from '@/lib/validation/expiry-bands';

/*
 * Expiry: the configured bands, counts per band for the Overview, the band filter of the tables and
 * the 12-month forecast. One rule decides what counts ("live for expiry", below) so a card's number
 * is exactly what its table filter lists.
 */

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Certificates whose expiry still matters: not revoked (or on the way to it) and not one of
 * certfleet's own canary probes. An expired certificate stays `active` at Cloudflare, so it counts.
 */
export const LIVE_STATUSES = ['ACTIVE', 'PENDING_REACTIVATION'] as const;

export const liveForExpiryWhere: Prisma.CertificateWhereInput = {
  status: { in: [...LIVE_STATUSES] },
  OR: [{ deviceId: null }, { device: { isCanary: false } }],
};

/** The same rule in SQL, for a query that joins "Certificate" AS c LEFT JOIN "Device" AS d. */
export const liveForExpirySql = Prisma.sql`c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND (d.id IS NULL OR NOT d."isCanary")`;

/**
 * A JS Date as a `timestamp` (without time zone) literal: the Prisma columns hold UTC wall time, and an
 * ISO string cast this way means the same instant whatever the server's TimeZone setting is.
 */
export function sqlTimestamp(date: Date): Prisma.Sql {
  return Prisma.sql`${date.toISOString()}::timestamp`;
}

/** `expiresOn` conditions for a band as of `now`, for Prisma's `where`. */
export function expiresOnInBand(band: ExpiryBand, now: Date): Prisma.DateTimeFilter {
  const { from, to } = expiryRange(band, now);
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) };
}

/** The same as SQL over `column` (e.g. `c."expiresOn"`). */
export function expiresOnInBandSql(column: Prisma.Sql, band: ExpiryBand, now: Date): Prisma.Sql {
  const { from, to } = expiryRange(band, now);
  const parts = [
    ...(from ? [Prisma.sql`${column} >= ${sqlTimestamp(from)}`] : []),
    ...(to ? [Prisma.sql`${column} < ${sqlTimestamp(to)}`] : []),
  ];
  return parts.length ? Prisma.join(parts, ' AND ') : Prisma.sql`TRUE`;
}

/**
 * The thresholds in force (ascending days), from the `expiryBands` setting or the defaults. A row
 * that no longer parses (hand-edited) falls back to the defaults rather than breaking every page.
 */
export async function readExpiryThresholds(prisma: Db = db()): Promise<number[]> {
  const row = await prisma.setting.findUnique({ where: { key: EXPIRY_BANDS_SETTING } });
  const parsed = ExpiryThresholdsSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : [...DEFAULT_EXPIRY_THRESHOLDS];
}

/** For the Settings page: the thresholds and whether they are the defaults. */
export async function getExpirySettings(actor: SessionUser): Promise<{ thresholds: number[]; isDefault: boolean }> {
  assertCan(actor, 'settings:view');
  const thresholds = await readExpiryThresholds();
  return { thresholds, isDefault: thresholds.join() === DEFAULT_EXPIRY_THRESHOLDS.join() };
}

/** ADMIN: replaces the thresholds (already validated by `ExpiryThresholdsSchema`), audited with before/after. */
export async function updateExpiryThresholds(actor: SessionUser, thresholds: number[]): Promise<number[]> {
  assertCan(actor, 'settings:edit');
  const next = ExpiryThresholdsSchema.parse(thresholds);
  return db().$transaction(async (tx) => {
    const before = await readExpiryThresholds(tx);
    if (before.join() === next.join()) return next;
    await tx.setting.upsert({
      where: { key: EXPIRY_BANDS_SETTING },
      create: { key: EXPIRY_BANDS_SETTING, value: next },
      update: { value: next },
    });
    await recordAudit(tx, {
      actor,
      action: 'settings.expiry_bands.update',
      targetType: 'setting',
      targetId: EXPIRY_BANDS_SETTING,
      targetLabel: 'Expiry bands',
      details: { from: before, to: next },
    });
    return next;
  });
}

export interface ExpiryBandCount extends ExpiryBand {
  certificates: number;
  /** Custom hostnames (CustomHostname.expiresOn) in this band. */
  hostnames: number;
}

/**
 * Live certificates expiring before each instant of `points` (null: ever), canaries excluded, read from
 * the per-day rollup ("CertificateExpiryDay", kept by triggers on "Certificate"): the whole days before
 * the instant's day, plus that day's certificates before the instant (an index range of one day), minus
 * certfleet's own canary probes (a few rows). No pass over the live certificates; one statement for all
 * the instants (each distinct instant once), so it is planned once however many bands there are.
 */
async function liveExpiringBefore(points: readonly (Date | null)[], prisma: Db = db()): Promise<number[]> {
  if (!points.length) return [];
  const keys = [...new Set(points.map((point) => point?.toISOString() ?? null))];
  const values = Prisma.join(keys.map((key, i) => Prisma.sql`(${i}::int, ${key}::timestamp)`), ', ');
  const rows = await prisma.$queryRaw<{ i: number; n: number }[]>`
    SELECT p.i,
           ((SELECT coalesce(sum(e.live), 0) FROM "CertificateExpiryDay" AS e WHERE p.at IS NULL OR e.day < p.at::date)
          + (SELECT count(*) FROM "Certificate" AS c
              WHERE p.at IS NOT NULL AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."expiresOn" >= p.at::date AND c."expiresOn" < p.at)
          - (SELECT count(*) FROM "Certificate" AS c JOIN "Device" AS d ON d.id = c."deviceId"
              WHERE d."isCanary" AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND (p.at IS NULL OR c."expiresOn" < p.at)))::int AS n
      FROM (VALUES ${values}) AS p(i, at)`;
  const byKey = new Map(rows.map((row) => [keys[row.i], Number(row.n)]));
  return points.map((point) => byKey.get(point?.toISOString() ?? null) ?? 0);
}

/**
 * Live certificates and custom hostnames per band as of `now`. Certificates: each band is the difference
 * of two "expiring before" sums over the per-day rollup (liveExpiringBefore, one statement); hostnames (a few hundred at
 * most) in one SQL pass with a `FILTER` per band.
 */
export async function countExpiryBands(actor: SessionUser, now = new Date()): Promise<{ thresholds: number[]; bands: ExpiryBandCount[] }> {
  assertCan(actor, 'certificate:view');
  const thresholds = await readExpiryThresholds();
  const bands = expiryBands(thresholds);
  const ranges = bands.map((band) => expiryRange(band, now));
  const counts = (column: Prisma.Sql) =>
    Prisma.join(
      bands.map((band, i) => Prisma.sql`count(*) FILTER (WHERE ${expiresOnInBandSql(column, band, now)})::int AS ${Prisma.raw(`"b${i}"`)}`),
      ', ',
    );
  const [before, hostnames] = await Promise.all([
    liveExpiringBefore([...ranges.map((r) => r.from), ...ranges.map((r) => r.to)]),
    db().$queryRaw<Record<string, number>[]>`
      SELECT ${counts(Prisma.sql`h."expiresOn"`)}
        FROM "CustomHostname" AS h
       WHERE h."expiresOn" IS NOT NULL`,
  ]);
  const fromCounts = before.slice(0, ranges.length);
  const toCounts = before.slice(ranges.length);
  return {
    thresholds,
    bands: bands.map((band, i) => ({
      ...band,
      // A band without a lower end starts at the beginning of time: nothing expires before it.
      certificates: toCounts[i]! - (ranges[i]!.from ? fromCounts[i]! : 0),
      hostnames: hostnames[0]?.[`b${i}`] ?? 0,
    })),
  };
}

export interface ForecastWeek {
  /** Monday of the week (ISO date, UTC), as date_trunc('week') gives it. */
  week: string;
  count: number;
}

/**
 * Live certificates expiring per week from `now` through the next 12 months; weeks without any come
 * back as 0 so the chart's axis is continuous. Whole days come from the per-day rollup
 * ("CertificateExpiryDay"); the first and last day, which the range cuts, are counted from the
 * certificates themselves (one day's index range each), and canary probes are taken off.
 */
export async function getExpiryForecast(actor: SessionUser, now = new Date()): Promise<ForecastWeek[]> {
  assertCan(actor, 'certificate:view');
  const start = sqlTimestamp(now);
  const end = Prisma.sql`(${start} + interval '12 months')`;
  // The bounds written out in each branch (not joined from a CTE), so each cut day is an index range of
  // "Certificate_status_expiresOn_idx": joined, the planner walks every live certificate instead.
  return db().$queryRaw<ForecastWeek[]>`
    WITH parts AS (
      SELECT date_trunc('week', x.day::timestamp) AS week, sum(x.live)::bigint AS n
        FROM "CertificateExpiryDay" AS x
       WHERE x.day > ${start}::date AND x.day < ${end}::date
       GROUP BY 1
      UNION ALL
      SELECT date_trunc('week', c."expiresOn"), count(*)
        FROM "Certificate" AS c
       WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."expiresOn" >= ${start} AND c."expiresOn" < ${start}::date + 1
       GROUP BY 1
      UNION ALL
      SELECT date_trunc('week', c."expiresOn"), count(*)
        FROM "Certificate" AS c
       WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."expiresOn" >= ${end}::date AND c."expiresOn" < ${end}
       GROUP BY 1
      UNION ALL
      SELECT date_trunc('week', c."expiresOn"), -count(*)
        FROM "Certificate" AS c JOIN "Device" AS d ON d.id = c."deviceId"
       WHERE d."isCanary" AND c.status IN ('ACTIVE', 'PENDING_REACTIVATION')
         AND c."expiresOn" >= ${start} AND c."expiresOn" < ${end}
       GROUP BY 1
    ), expiring AS (
      SELECT week, sum(n)::int AS n FROM parts GROUP BY week
    )
    SELECT to_char(w.week, 'YYYY-MM-DD') AS week, coalesce(e.n, 0)::int AS count
      FROM generate_series(date_trunc('week', ${start}), ${start} + interval '12 months', interval '1 week') AS w(week)
      LEFT JOIN expiring AS e ON e.week = w.week
     ORDER BY w.week`;
}

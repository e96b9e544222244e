import { Prisma } from '@/lib/generated/prisma/client';
import { MISSING_WITHIN_MS } from './health';

/**
 * classifyHealth (health.ts) in SQL, over a device row aliased `device`: 'live', 'late', 'missing' or 'silent' at
 * `now`. It reads "liveUntil" and "lateUntil" (lastSeenAt + 2 and + 10 intervals, kept by a trigger), so it costs two
 * timestamp comparisons a device. The readings page counts and filters the fleet by it and the DEVICE_UNHEALTHY alert
 * matches on it, so they can never disagree with each other or with the TypeScript rule
 * (lib/data/readings-fleet.test.ts compares them device by device, boundaries to the millisecond included).
 */
export function healthSql(now: Date, device: Prisma.Sql = Prisma.sql`d`): Prisma.Sql {
  const at = Prisma.sql`${now.toISOString()}::timestamp`;
  return Prisma.sql`(CASE WHEN ${device}."lastSeenAt" IS NULL THEN 'silent'
      WHEN ${device}."liveUntil" >= ${at} THEN 'live'
      WHEN ${device}."lateUntil" >= ${at} THEN 'late'
      WHEN ${device}."lastSeenAt" >= ${at} - interval '${Prisma.raw(String(MISSING_WITHIN_MS / 1000))} seconds' THEN 'missing'
      ELSE 'silent' END)`;
}

/**
 * How many of the devices aliased `d` that match `where` have each health at `now`: one row of four counts. Counted
 * with FILTER rather than grouped by healthSql's text, which costs three times as much over 100,000 devices.
 */
export function healthCountsSql(now: Date, where: Prisma.Sql): Prisma.Sql {
  const at = Prisma.sql`${now.toISOString()}::timestamp`;
  const missingFrom = Prisma.sql`${at} - interval '${Prisma.raw(String(MISSING_WITHIN_MS / 1000))} seconds'`;
  return Prisma.sql`
    SELECT count(*) FILTER (WHERE d."liveUntil" >= ${at})::int AS live,
           count(*) FILTER (WHERE d."liveUntil" < ${at} AND d."lateUntil" >= ${at})::int AS late,
           count(*) FILTER (WHERE d."lateUntil" < ${at} AND d."lastSeenAt" >= ${missingFrom})::int AS missing,
           count(*) FILTER (WHERE d."lastSeenAt" IS NULL OR (d."lateUntil" < ${at} AND d."lastSeenAt" < ${missingFrom}))::int AS silent
      FROM "Device" d WHERE ${where}`;
}

import { Prisma } from '@/lib/generated/prisma/client';
import { LATE_INTERVALS, LIVE_INTERVALS, MISSING_WITHIN_MS } from './health';

/**
 * classifyHealth (health.ts) in SQL, over a device row aliased `device` (its "lastSeenAt", a `timestamp` holding
 * UTC, and "reportIntervalSec"): 'live', 'late', 'missing' or 'silent' at `now`. The readings page counts and
 * filters the fleet by it and the DEVICE_UNHEALTHY alert matches on it, so the two can never disagree with each
 * other or with the TypeScript rule (lib/data/readings-fleet.test.ts compares them device by device).
 */
export function healthSql(now: Date, device: Prisma.Sql = Prisma.sql`d`): Prisma.Sql {
  // Intervals compared with intervals: extract(epoch …) is numeric, three times slower over a fleet.
  const age = Prisma.sql`(${now.toISOString()}::timestamp - ${device}."lastSeenAt")`;
  const intervals = (n: number) => Prisma.sql`greatest(1, ${device}."reportIntervalSec") * interval '${Prisma.raw(String(n))} seconds'`;
  return Prisma.sql`(CASE WHEN ${device}."lastSeenAt" IS NULL THEN 'silent'
      WHEN ${age} <= ${intervals(LIVE_INTERVALS)} THEN 'live'
      WHEN ${age} <= ${intervals(LATE_INTERVALS)} THEN 'late'
      WHEN ${age} <= interval '${Prisma.raw(String(MISSING_WITHIN_MS / 1000))} seconds' THEN 'missing'
      ELSE 'silent' END)`;
}

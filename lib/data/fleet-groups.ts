import 'server-only';
import { db } from '@/lib/db/client';

/**
 * The fleet's device groups (canaries aside), for the group filters and the enrollment wizard. Read from the
 * `DeviceCount` read model (migration fleet_device_counts: devices per group and status, kept by triggers on
 * "Device"), so it costs a few rows at any fleet size. Prisma's `distinct` is not SQL DISTINCT: it reads every
 * device and de-duplicates in Node, which took seconds per page view at 100,000 devices (bench/browse.ts).
 * Callers check their own permission.
 */
export async function fleetGroups(): Promise<string[]> {
  const rows = await db().$queryRaw<{ group: string }[]>`SELECT DISTINCT "group" FROM "DeviceCount" WHERE devices > 0 ORDER BY 1`;
  return rows.map((r) => r.group);
}

import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import type { RoleName } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import type { DeviceStatus } from '@/lib/generated/prisma/client';

export interface FleetOverview {
  devices: { total: number; byStatus: Record<DeviceStatus, number>; byGroup: { group: string; count: number }[] };
  users: { total: number; disabled: number; byRole: Record<RoleName, number> };
}

/**
 * The Overview page's counts. Devices: read from "DeviceCount" (devices per group and status, canaries left
 * out: they are certfleet's own probes, not fleet), which triggers on "Device" keep exact in the same
 * transaction as every write (migration fleet_device_counts), so the page adds up a few hundred rows instead
 * of counting the fleet.
 */
export async function getFleetOverview(actor: SessionUser): Promise<FleetOverview> {
  assertCan(actor, 'dashboard:view');
  const [byGroupAndStatus, byRole, disabled] = await Promise.all([
    db().deviceCount.findMany({ where: { devices: { gt: 0 } }, select: { group: true, status: true, devices: true } }),
    db().user.groupBy({ by: ['role'], _count: { _all: true } }),
    db().user.count({ where: { disabled: true } }),
  ]);

  const statusCounts: Record<DeviceStatus, number> = { ACTIVE: 0, INACTIVE: 0, DECOMMISSIONED: 0 };
  const groupCounts = new Map<string, number>();
  for (const row of byGroupAndStatus) {
    statusCounts[row.status] += row.devices;
    groupCounts.set(row.group, (groupCounts.get(row.group) ?? 0) + row.devices);
  }
  const byGroup = [...groupCounts].map(([group, count]) => ({ group, count }));
  const byStatus = Object.values(statusCounts).map((count) => ({ _count: { _all: count } }));
  const roleCounts: Record<RoleName, number> = { ADMIN: 0, SUPPORT: 0, MANAGER: 0 };
  for (const row of byRole) roleCounts[row.role] = row._count._all;

  return {
    devices: {
      total: byStatus.reduce((sum, row) => sum + row._count._all, 0),
      byStatus: statusCounts,
      byGroup: byGroup.sort((a, b) => b.count - a.count || a.group.localeCompare(b.group)),
    },
    users: { total: byRole.reduce((sum, row) => sum + row._count._all, 0), disabled, byRole: roleCounts },
  };
}

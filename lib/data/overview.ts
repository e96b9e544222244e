import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import type { RoleName } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import type { DeviceStatus } from '@/lib/generated/prisma/client';

export interface FleetOverview {
  devices: { total: number; byStatus: Record<DeviceStatus, number>; byGroup: { group: string; count: number }[] };
  users: { total: number; disabled: number; byRole: Record<RoleName, number> };
}

/** The Overview page's counts, each one grouped query. Canary devices are certfleet's own probes, not fleet. */
export async function getFleetOverview(actor: SessionUser): Promise<FleetOverview> {
  assertCan(actor, 'dashboard:view');
  const fleet = { isCanary: false };
  const [byGroup, byStatus, byRole, disabled] = await Promise.all([
    db().device.groupBy({ by: ['group'], where: fleet, _count: { _all: true }, orderBy: { group: 'asc' } }),
    db().device.groupBy({ by: ['status'], where: fleet, _count: { _all: true } }),
    db().user.groupBy({ by: ['role'], _count: { _all: true } }),
    db().user.count({ where: { disabled: true } }),
  ]);

  const statusCounts: Record<DeviceStatus, number> = { ACTIVE: 0, INACTIVE: 0, DECOMMISSIONED: 0 };
  for (const row of byStatus) statusCounts[row.status] = row._count._all;
  const roleCounts: Record<RoleName, number> = { ADMIN: 0, SUPPORT: 0, MANAGER: 0 };
  for (const row of byRole) roleCounts[row.role] = row._count._all;

  return {
    devices: {
      total: byStatus.reduce((sum, row) => sum + row._count._all, 0),
      byStatus: statusCounts,
      byGroup: byGroup
        .map((row) => ({ group: row.group, count: row._count._all }))
        .sort((a, b) => b.count - a.count || a.group.localeCompare(b.group)),
    },
    users: { total: byRole.reduce((sum, row) => sum + row._count._all, 0), disabled, byRole: roleCounts },
  };
}

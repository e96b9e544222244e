import { Cpu, Users } from 'lucide-react';
import Link from 'next/link';
import { roleLabel } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import type { SessionUser } from '@/lib/auth/errors';
import { can, ROLES } from '@/lib/auth/permissions';
import { getFleetOverview } from '@/lib/data/overview';

const number = new Intl.NumberFormat('en');

export async function FleetOverviewCards({ user }: { user: SessionUser }) {
  const overview = await getFleetOverview(user);
  const { devices, users } = overview;
  const largestGroup = Math.max(1, ...devices.byGroup.map((g) => g.count));

  return (
    <div className="flex flex-col gap-6">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Devices" value={devices.total} hint={`${devices.byGroup.length} groups`} />
        <Stat label="Active devices" value={devices.byStatus.ACTIVE} hint={`${devices.byStatus.INACTIVE} inactive`} />
        <Stat label="Decommissioned" value={devices.byStatus.DECOMMISSIONED} hint="kept for their history" />
        <Stat label="Users" value={users.total} hint={users.disabled ? `${users.disabled} disabled` : 'all enabled'} />
      </div>

      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <h2 className="text-base font-semibold">Devices by group</h2>
          </CardHeader>
          <CardContent>
            {devices.byGroup.length === 0 ? (
              <EmptyState icon={Cpu} title="No devices yet">
                Devices appear here once they are enrolled or seeded.
              </EmptyState>
            ) : (
              <ul className="flex flex-col gap-2.5" aria-label="Devices by group">
                {devices.byGroup.map((g) => (
                  <li key={g.group} className="grid grid-cols-[minmax(6rem,10rem)_1fr_3rem] items-center gap-3 text-sm">
                    <span className="truncate font-medium" title={g.group}>
                      {g.group}
                    </span>
                    <span className="h-2 overflow-hidden rounded-full bg-muted" aria-hidden>
                      <span className="block h-full rounded-full bg-primary" style={{ width: `${(g.count / largestGroup) * 100}%` }} />
                    </span>
                    <span className="text-right tabular-nums">{number.format(g.count)}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">Users by role</h2>
          </CardHeader>
          <CardContent>
            <dl className="flex flex-col gap-2 text-sm">
              {ROLES.map((role) => (
                <div key={role} className="flex items-center justify-between">
                  <dt className="text-muted-foreground">{roleLabel(role)}</dt>
                  <dd className="font-medium tabular-nums">{number.format(users.byRole[role])}</dd>
                </div>
              ))}
            </dl>
            {can(user.role, 'users:manage') ? (
              <Link href="/users" className="mt-4 inline-flex items-center gap-1.5 text-sm font-medium text-primary hover:underline">
                <Users aria-hidden className="size-4" />
                Manage users
              </Link>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function Stat({ label, value, hint }: { label: string; value: number; hint: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{label}</CardTitle>
      </CardHeader>
      <CardContent>
        <p className="text-3xl font-semibold tracking-tight tabular-nums">{number.format(value)}</p>
        <p className="mt-1 text-xs text-muted-foreground">{hint}</p>
      </CardContent>
    </Card>
  );
}

export function FleetOverviewSkeleton() {
  return (
    <div className="flex animate-pulse flex-col gap-6" aria-busy aria-label="Loading overview">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-28 rounded-lg border border-border bg-card" />
        ))}
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="h-64 rounded-lg border border-border bg-card lg:col-span-2" />
        <div className="h-64 rounded-lg border border-border bg-card" />
      </div>
    </div>
  );
}

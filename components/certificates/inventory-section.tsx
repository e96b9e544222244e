import { type ReactNode, Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { Notice } from '@/components/ui/notice';
import { can } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session';
import { refreshPendingForView } from '@/lib/data/certificate-refresh';
import { listDeviceGroups } from '@/lib/data/certificates';
import { readExpiryThresholds } from '@/lib/data/expiry';
import type { InventoryTableProps } from './inventory-table';

/** What an inventory table needs besides its rows and search. */
export type InventoryContext = Pick<InventoryTableProps<unknown, never>, 'thresholds' | 'groups' | 'canRevoke'>;

/**
 * Below an inventory page's header (certificates, devices): statuses follow Cloudflare, so pending
 * certificates are asked about before the list is read, and a failed ask is said above the table.
 * `children` makes the table once that is done, from the expiry bands, the groups and whether the
 * user may revoke; it starts its own rows query then, so the rows read the refreshed statuses.
 */
export async function InventorySection({
  user,
  skeletonColumns,
  children,
}: {
  user: SessionUser;
  skeletonColumns: number;
  children: (context: InventoryContext) => ReactNode;
}) {
  const refresh = await refreshPendingForView(user);
  const [thresholds, groups] = await Promise.all([readExpiryThresholds(), listDeviceGroups(user)]);
  return (
    <>
      {refresh.errors.length ? <Notice className="mb-4">Cloudflare could not be asked about pending certificates, so some statuses may be out of date: {refresh.errors[0]}</Notice> : null}
      <Suspense fallback={<DataTableSkeleton columns={skeletonColumns} />}>{children({ thresholds, groups, canRevoke: can(user.role, 'certificate:revoke') })}</Suspense>
    </>
  );
}

import { type ReactNode, Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { Notice } from '@/components/ui/notice';
import { can } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session';
import { refreshShownForView, type ShownCertificate } from '@/lib/data/certificate-refresh';
import { listDeviceGroups } from '@/lib/data/certificates';
import { readExpiryThresholds } from '@/lib/data/expiry';
import type { InventoryTableProps } from './inventory-table';

/** What an inventory table needs besides its search: the rows, the expiry bands, the groups, whether the user may revoke. */
export type InventoryContext<TPage> = Pick<InventoryTableProps<unknown, never>, 'thresholds' | 'groups' | 'canRevoke'> & { rows: Promise<TPage> };

/**
 * Below an inventory page's header (certificates, devices). Statuses follow Cloudflare: the certificates the
 * page shows that are pending at certfleet are asked about, and the page read again if one settled; a failed ask
 * is said above the table. Only what is shown is asked (usually nothing), so a page view costs no Cloudflare call
 * at any fleet size; the scheduler's refresh job follows every other pending certificate.
 * `children` makes the table from the rows, the expiry bands, the groups and whether the user may revoke.
 */
export async function InventorySection<TPage extends { rows: unknown[] }>({
  user,
  skeletonColumns,
  read,
  shown,
  children,
}: {
  user: SessionUser;
  skeletonColumns: number;
  /** Reads the page of rows the URL asks for. */
  read: () => Promise<TPage>;
  /** The certificates a page of rows shows, with the status it shows them in. */
  shown: (page: TPage) => ShownCertificate[];
  children: (context: InventoryContext<TPage>) => ReactNode;
}) {
  const [thresholds, groups] = await Promise.all([readExpiryThresholds(), listDeviceGroups(user)]);
  const render = (rows: Promise<TPage>) => children({ thresholds, groups, canRevoke: can(user.role, 'certificate:revoke'), rows });
  return (
    <Suspense fallback={<DataTableSkeleton columns={skeletonColumns} />}>
      <FreshRows user={user} read={read} shown={shown} render={render} />
    </Suspense>
  );
}

async function FreshRows<TPage>({
  user,
  read,
  shown,
  render,
}: {
  user: SessionUser;
  read: () => Promise<TPage>;
  shown: (page: TPage) => ShownCertificate[];
  render: (rows: Promise<TPage>) => ReactNode;
}) {
  let page = await read();
  const refresh = await refreshShownForView(user, shown(page));
  if (refresh.changed) page = await read();
  return (
    <>
      {refresh.errors.length ? <Notice className="mb-4">Cloudflare could not be asked about pending certificates, so some statuses may be out of date: {refresh.errors[0]}</Notice> : null}
      {render(Promise.resolve(page))}
    </>
  );
}

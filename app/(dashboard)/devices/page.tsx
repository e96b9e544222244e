import { Plus, Upload } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { buttonClasses } from '@/components/ui/button';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { listDeviceGroups } from '@/lib/data/certificates';
import { findDevices } from '@/lib/data/devices';
import { readExpiryThresholds } from '@/lib/data/expiry';
import { refreshPendingForView } from '@/lib/data/certificate-refresh';
import { parseDeviceListSearch } from '@/lib/validation/inventory';
import { DevicesTable } from './_components/devices-table';

export const metadata: Metadata = { title: 'Devices' };

export default listPage('device:view', parseDeviceListSearch, async ({ user, search }) => {
  // Statuses follow Cloudflare: pending certificates are asked about before the page is read.
  const refresh = await refreshPendingForView(user);
  const [thresholds, groups] = await Promise.all([readExpiryThresholds(), listDeviceGroups(user)]);

  return (
    <>
      <PageHeader
        title="Devices"
        description="Every device in the fleet, its current certificate and when it last reported."
        actions={
          can(user.role, 'device:enroll') ? (
            <>
              <Link href="/devices/bulk" className={buttonClasses({ variant: 'outline' })}>
                <Upload aria-hidden />
                Bulk enroll
              </Link>
              <Link href="/devices/enroll" className={buttonClasses()}>
                <Plus aria-hidden />
                Enroll device
              </Link>
            </>
          ) : null
        }
      />
      {refresh.errors.length ? <Notice className="mb-4">Cloudflare could not be asked about pending certificates, so some statuses may be out of date: {refresh.errors[0]}</Notice> : null}
      <Suspense fallback={<DataTableSkeleton columns={6} />}>
        <DevicesTable devices={findDevices(user, search)} search={search} thresholds={thresholds} groups={groups} canRevoke={can(user.role, 'certificate:revoke')} />
      </Suspense>
    </>
  );
});

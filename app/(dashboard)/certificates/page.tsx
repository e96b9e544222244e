import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { findCertificates, listDeviceGroups } from '@/lib/data/certificates';
import { readExpiryThresholds } from '@/lib/data/expiry';
import { refreshPendingForView } from '@/lib/data/certificate-refresh';
import { parseCertificateListSearch } from '@/lib/validation/inventory';
import { CertificatesTable } from './_components/certificates-table';

export const metadata: Metadata = { title: 'Certificates' };

export default listPage('certificate:view', parseCertificateListSearch, async ({ user, search }) => {
  // Statuses follow Cloudflare: pending ones are asked about before the page is read.
  const refresh = await refreshPendingForView(user);
  const [thresholds, groups] = await Promise.all([readExpiryThresholds(), listDeviceGroups(user)]);

  return (
    <>
      <PageHeader title="Certificates" description="Client certificates issued by the zone's managed CA, with their status at Cloudflare and days left." />
      {refresh.errors.length ? <Notice className="mb-4">Cloudflare could not be asked about pending certificates, so some statuses may be out of date: {refresh.errors[0]}</Notice> : null}
      <Suspense fallback={<DataTableSkeleton columns={7} />}>
        <CertificatesTable
          certificates={findCertificates(user, search)}
          search={search}
          thresholds={thresholds}
          groups={groups}
          canRevoke={can(user.role, 'certificate:revoke')}
        />
      </Suspense>
    </>
  );
});

import type { Metadata } from 'next';
import { Suspense } from 'react';
import { guardedPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { FleetOverviewCards, FleetOverviewSkeleton } from './_components/fleet-overview';
import { ExpiryOverview, ExpiryOverviewSkeleton } from './_components/overview-expiry';
import { OverviewMtls, OverviewMtlsSkeleton } from './_components/overview-mtls';
import { OverviewRenewalRisk, OverviewRenewalRiskSkeleton } from './_components/overview-renewal-risk';

export const metadata: Metadata = { title: 'Overview' };

export default guardedPage('dashboard:view', async (user) => {
  return (
    <>
      <PageHeader title="Overview" description="Your fleet at a glance." />
      <div className="mb-8">
        <Suspense fallback={<OverviewMtlsSkeleton />}>
          <OverviewMtls user={user} />
        </Suspense>
      </div>
      <Suspense fallback={<FleetOverviewSkeleton />}>
        <FleetOverviewCards user={user} />
      </Suspense>
      {can(user.role, 'certificate:view') ? (
        <div className="mt-8">
          <Suspense fallback={<ExpiryOverviewSkeleton />}>
            <ExpiryOverview user={user} />
          </Suspense>
          <div className="mt-4">
            <Suspense fallback={<OverviewRenewalRiskSkeleton />}>
              <OverviewRenewalRisk user={user} />
            </Suspense>
          </div>
        </div>
      ) : null}
    </>
  );
});

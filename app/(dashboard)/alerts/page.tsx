import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AlertsNav } from '@/components/alerts/alerts-nav';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { findAlertGroups, findAlerts } from '@/lib/data/alerts';
import { parseAlertListSearch } from '@/lib/validation/alerts';
import { AlertsTable } from './_components/alerts-table';
import { StateTabs } from './_components/state-tabs';

export const metadata: Metadata = { title: 'Alerts' };

export default listPage('alerts:view', parseAlertListSearch, async ({ user, search }) => {
  return (
    <>
      <PageHeader
        title="Alerts"
        description="What needs a person: raised by the rules, once per subject, resolved when the condition clears."
      />
      <AlertsNav role={user.role} current="/alerts" />
      <StateTabs current={search.state} />
      <Suspense key={JSON.stringify(search)} fallback={<DataTableSkeleton columns={6} />}>
        <AlertsTable
          alerts={findAlerts(user, search)}
          groups={await findAlertGroups(user)}
          search={search}
          canAcknowledge={can(user.role, 'alerts:acknowledge')}
        />
      </Suspense>
    </>
  );
});

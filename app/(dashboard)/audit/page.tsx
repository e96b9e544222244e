import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { findAuditEvents, listAuditActions } from '@/lib/data/audit';
import { parseAuditListSearch } from '@/lib/validation/inventory';
import { AuditTable } from './_components/audit-table';

export const metadata: Metadata = { title: 'Audit log' };

export default listPage('audit:view', parseAuditListSearch, async ({ user, search }) => {
  const actions = await listAuditActions(user);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every issue, revocation, undo, renewal, reconcile change and user change: who, when, what, why. Append-only: events cannot be edited or deleted."
      />
      <Suspense fallback={<DataTableSkeleton columns={6} />}>
        <AuditTable events={findAuditEvents(user, search)} search={search} actions={actions} />
      </Suspense>
    </>
  );
});

import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { Forbidden } from '@/components/shell/forbidden';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { findAuditEvents, listAuditActions } from '@/lib/data/audit';
import { parseAuditListSearch } from '@/lib/validation/inventory';
import type { RawSearchParams } from '@/lib/validation/table-search-params';
import { AuditTable } from './_components/audit-table';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requireUser();
  if (!can(user.role, 'audit:view')) return <Forbidden permission="audit:view" />;
  const search = parseAuditListSearch(await searchParams);
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
}

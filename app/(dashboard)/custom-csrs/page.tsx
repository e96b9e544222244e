import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { Forbidden } from '@/components/shell/forbidden';
import { FormMessage } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { findCustomCsrs } from '@/lib/data/custom-csrs';
import { parseCustomCsrListSearch } from '@/lib/validation/custom-csr';
import { firstParam, type RawSearchParams } from '@/lib/validation/table-search-params';
import { CreateCustomCsrDialog } from './_components/create-custom-csr-dialog';
import { CustomCsrsTable } from './_components/custom-csrs-table';
import { ReconcileButton } from './_components/reconcile-button';

export const metadata: Metadata = { title: 'Custom CSRs' };

export default async function CustomCsrsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requireUser();
  if (!can(user.role, 'customcsr:view')) return <Forbidden permission="customcsr:view" />;
  const raw = await searchParams;
  const search = parseCustomCsrListSearch(raw);
  const canManage = can(user.role, 'customcsr:manage');

  return (
    <>
      <PageHeader
        title="Custom CSRs"
        description="Cloudflare makes the key and the CSR; your customer's CA signs it; the certificate comes back here for a custom hostname."
        actions={
          canManage ? (
            <>
              <ReconcileButton />
              <CreateCustomCsrDialog />
            </>
          ) : null
        }
      />
      {firstParam(raw, 'deleted') ? <FormMessage ok message="The custom CSR was deleted at Cloudflare, with its private key." className="mb-4" /> : null}
      <Suspense fallback={<DataTableSkeleton columns={6} />}>
        <CustomCsrsTable data={findCustomCsrs(user, search)} search={search} />
      </Suspense>
    </>
  );
}

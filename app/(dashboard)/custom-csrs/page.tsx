import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { FormMessage } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { findCustomCsrs } from '@/lib/data/custom-csrs';
import { parseCustomCsrListSearch } from '@/lib/validation/custom-csr';
import { firstParam } from '@/lib/validation/table-search-params';
import { CreateCustomCsrDialog } from './_components/create-custom-csr-dialog';
import { CustomCsrsTable } from './_components/custom-csrs-table';
import { ReconcileButton } from './_components/reconcile-button';

export const metadata: Metadata = { title: 'Custom CSRs' };

export default listPage('customcsr:view', parseCustomCsrListSearch, async ({ user, search, raw }) => {
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
});

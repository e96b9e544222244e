import type { Metadata } from 'next';
import { InventorySection } from '@/components/certificates/inventory-section';
import { listPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { findCertificates } from '@/lib/data/certificates';
import { parseCertificateListSearch } from '@/lib/validation/inventory';
import { CertificatesTable } from './_components/certificates-table';

export const metadata: Metadata = { title: 'Certificates' };

export default listPage('certificate:view', parseCertificateListSearch, ({ user, search }) => (
  <>
    <PageHeader title="Certificates" description="Client certificates issued by the zone's managed CA, with their status at Cloudflare and days left." />
    <InventorySection user={user} skeletonColumns={7} read={() => findCertificates(user, search)} shown={(page) => page.rows}>
      {(context) => <CertificatesTable search={search} {...context} />}
    </InventorySection>
  </>
));

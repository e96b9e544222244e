import { Plus, Upload } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { InventorySection } from '@/components/certificates/inventory-section';
import { listPage } from '@/components/shell/guarded-page';
import { buttonClasses } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { findDevices } from '@/lib/data/devices';
import { parseDeviceListSearch } from '@/lib/validation/inventory';
import { DevicesTable } from './_components/devices-table';

export const metadata: Metadata = { title: 'Devices' };

export default listPage('device:view', parseDeviceListSearch, ({ user, search }) => (
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
    <InventorySection user={user} skeletonColumns={6} read={() => findDevices(user, search)} shown={(page) => page.rows.flatMap((r) => (r.certificate ? [r.certificate] : []))}>
      {(context) => <DevicesTable search={search} {...context} />}
    </InventorySection>
  </>
));

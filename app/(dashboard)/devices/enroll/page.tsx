import { Files } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Forbidden } from '@/components/shell/forbidden';
import { buttonClasses } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { listEnrollmentGroups } from '@/lib/data/enrollment';
import { connectTarget } from '@/lib/data/enrollment-config';
import { EnrollWizard } from './_components/enroll-wizard';

export const metadata: Metadata = { title: 'Enroll a device' };

export default async function EnrollPage() {
  const user = await requireUser();
  if (!can(user.role, 'device:enroll')) return <Forbidden permission="device:enroll" />;
  const groups = await listEnrollmentGroups(user);
  return (
    <>
      <PageHeader
        title="Enroll a device"
        description="Issue a client certificate from the zone's Cloudflare-managed CA for a new device, with a key made in this browser or the device's own CSR."
        actions={
          <Link href="/devices/bulk" className={buttonClasses({ variant: 'outline' })}>
            <Files aria-hidden /> Bulk enroll from CSV
          </Link>
        }
      />
      <EnrollWizard groups={groups} connect={connectTarget()} />
    </>
  );
}

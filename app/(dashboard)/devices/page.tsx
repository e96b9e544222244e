import { Cpu } from 'lucide-react';
import type { Metadata } from 'next';
import { ComingLater } from '@/components/shell/coming-later';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Devices' };

export default async function DevicesPage() {
  const user = await requireUser();
  if (!can(user.role, 'device:view')) return <Forbidden permission="device:view" />;
  return (
    <ComingLater title="Devices" description="Every device in the fleet and the certificate it presents." icon={Cpu} headline="The device list is not built yet">
      This page will list each device with its group, tags, status and when it last reported, and let an admin enroll
      devices one by one or in bulk. The seeded devices already count on the Overview.
    </ComingLater>
  );
}

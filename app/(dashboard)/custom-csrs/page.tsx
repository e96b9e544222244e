import { FileKey2 } from 'lucide-react';
import type { Metadata } from 'next';
import { ComingLater } from '@/components/shell/coming-later';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Custom CSRs' };

export default async function CustomCsrsPage() {
  const user = await requireUser();
  if (!can(user.role, 'customcsr:view')) return <Forbidden permission="customcsr:view" />;
  return (
    <ComingLater
      title="Custom CSRs"
      description="Certificate signing requests Cloudflare generates for your own hostnames."
      icon={FileKey2}
      headline="No custom CSRs yet"
    >
      This page will list the custom CSRs created at Cloudflare and the custom hostnames that use them, and let an
      admin create a new one.
    </ComingLater>
  );
}

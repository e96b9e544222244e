import { ScrollText } from 'lucide-react';
import type { Metadata } from 'next';
import { ComingLater } from '@/components/shell/coming-later';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  const user = await requireUser();
  if (!can(user.role, 'audit:view')) return <Forbidden permission="audit:view" />;
  return (
    <ComingLater title="Audit log" description="Who changed what, and when." icon={ScrollText} headline="The audit log viewer is not built yet">
      Changes are already recorded: creating a user, changing a role, disabling an account or resetting a password each
      write an append-only audit event. A searchable list of them will appear here.
    </ComingLater>
  );
}

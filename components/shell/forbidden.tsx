import { Lock } from 'lucide-react';
import { EmptyState } from '@/components/ui/empty-state';
import { forbiddenMessage } from '@/lib/auth/errors';
import type { Permission } from '@/lib/auth/permissions';

/** What a page shows to a signed-in user whose role lacks the permission it needs. */
export function Forbidden({ permission }: { permission: Permission }) {
  return (
    <EmptyState icon={Lock} title="Not available for your role">
      {forbiddenMessage(permission)} Ask an admin if you need it.
    </EmptyState>
  );
}

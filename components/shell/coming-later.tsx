import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

/**
 * A page whose feature is not built yet: it says what will be here instead of showing made-up data.
 */
export function ComingLater({ title, description, icon, headline, children }: {
  title: string;
  description: string;
  icon: LucideIcon;
  headline: string;
  children: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <EmptyState icon={icon} title={headline}>
        {children}
      </EmptyState>
    </>
  );
}

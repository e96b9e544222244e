import { TriangleAlert } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from './cn';

/** A warning banner for something the page could not do (e.g. Cloudflare unreachable), shown above its content. */
export function Notice({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <div
      role="alert"
      className={cn(
        'flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100',
        className,
      )}
    >
      <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div>{children}</div>
    </div>
  );
}

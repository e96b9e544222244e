import type { ReactNode } from 'react';
import { cn } from './cn';

/**
 * The message a form shows after its action. Always rendered (empty when there is nothing to say) so
 * screen readers announce each new message through the live region.
 */
export function FormMessage({ ok, message, className }: { ok?: boolean; message?: ReactNode; className?: string }) {
  return (
    <div aria-live="polite" role="status" className={cn(!message && 'sr-only', className)}>
      {message ? (
        <p
          className={cn(
            'rounded-md border px-3 py-2 text-sm',
            ok
              ? 'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100'
              : 'border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100',
          )}
        >
          {message}
        </p>
      ) : null}
    </div>
  );
}

'use client';

import { cn } from '@/components/ui/cn';
import { useSearchParamsUpdater } from '@/components/data-table/use-search-params-updater';
import type { AlertListSearch } from '@/lib/validation/alerts';

const STATES: { value: AlertListSearch['state']; label: string }[] = [
  { value: 'active', label: 'Needs attention' },
  { value: 'OPEN', label: 'Open' },
  { value: 'ACKNOWLEDGED', label: 'Acknowledged' },
  { value: 'RESOLVED', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

/** Which alerts the table lists, by state; "Needs attention" (open or acknowledged) is the default. */
export function StateTabs({ current }: { current: AlertListSearch['state'] }) {
  const { update } = useSearchParamsUpdater();
  return (
    <div role="group" aria-label="Alert state" className="mb-3 flex flex-wrap gap-1">
      {STATES.map((s) => (
        <button
          key={s.value}
          type="button"
          aria-pressed={current === s.value}
          onClick={() => update({ state: s.value === 'active' ? null : s.value, page: null })}
          className={cn(
            'rounded-md border px-3 py-1.5 text-sm',
            current === s.value ? 'border-primary bg-primary text-primary-foreground' : 'border-border bg-background hover:bg-muted',
          )}
        >
          {s.label}
        </button>
      ))}
    </div>
  );
}

'use client';

import { useId } from 'react';
import { useSearchParamsUpdater } from '@/components/data-table/use-search-params-updater';
import { DateInput } from '@/components/ui/date-input';

/** A from/to day range (UTC, inclusive) bound to the `from` and `to` URL parameters. */
export function DateRangeFilter() {
  const { searchParams, update } = useSearchParamsUpdater();
  const fromId = useId();
  const toId = useId();
  return (
    // Wraps rather than widening the page on a phone; each date is echoed as the app writes dates.
    <div className="flex flex-wrap items-start gap-x-3 gap-y-1 text-sm">
      <span className="flex items-start gap-2">
        <label htmlFor={fromId} className="pt-2 text-muted-foreground">
          From
        </label>
        <DateInput id={fromId} type="date" inputClassName="w-36" value={searchParams.get('from') ?? ''} onChange={(event) => update({ from: event.target.value || null })} />
      </span>
      <span className="flex items-start gap-2">
        <label htmlFor={toId} className="pt-2 text-muted-foreground">
          to
        </label>
        <DateInput id={toId} type="date" inputClassName="w-36" value={searchParams.get('to') ?? ''} onChange={(event) => update({ to: event.target.value || null })} />
      </span>
    </div>
  );
}

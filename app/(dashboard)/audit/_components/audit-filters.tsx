'use client';

import { useId } from 'react';
import { useSearchParamsUpdater } from '@/components/data-table/use-search-params-updater';
import { Input } from '@/components/ui/input';

/** A from/to day range (UTC, inclusive) bound to the `from` and `to` URL parameters. */
export function DateRangeFilter() {
  const { searchParams, update } = useSearchParamsUpdater();
  const fromId = useId();
  const toId = useId();
  return (
    <div className="flex items-center gap-2 text-sm">
      <label htmlFor={fromId} className="text-muted-foreground">
        From
      </label>
      <Input id={fromId} type="date" className="w-40" value={searchParams.get('from') ?? ''} onChange={(event) => update({ from: event.target.value || null })} />
      <label htmlFor={toId} className="text-muted-foreground">
        to
      </label>
      <Input id={toId} type="date" className="w-40" value={searchParams.get('to') ?? ''} onChange={(event) => update({ to: event.target.value || null })} />
    </div>
  );
}

'use client';

import { LoaderCircle, Search, X } from 'lucide-react';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useSearchParamsUpdater } from './use-search-params-updater';

/** The row above a table: a search box, then any filters and actions passed as children. */
export function DataTableToolbar({ children, actions }: { children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <div className="flex flex-1 flex-wrap items-center gap-2">{children}</div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}

/**
 * Free-text search bound to a URL parameter (default `q`). Typing waits `debounceMs` before asking
 * the server, so each keystroke does not fire a query.
 */
export function DataTableSearch({ placeholder = 'Search…', param = 'q', debounceMs = 300 }: { placeholder?: string; param?: string; debounceMs?: number }) {
  const { searchParams, update, isPending } = useSearchParamsUpdater();
  const current = searchParams.get(param) ?? '';
  const [value, setValue] = useState(current);
  // The URL value the box last agreed with, and the last value this box sent.
  const [synced, setSynced] = useState(current);
  const [sent, setSent] = useState(current);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const id = useId();

  // The URL changed. If it is not our own search arriving (typing may have moved on meanwhile),
  // it came from Back/Forward or a link: show what it now says.
  if (current !== synced) {
    setSynced(current);
    if (current !== sent) setValue(current);
  }

  useEffect(() => () => clearTimeout(timer.current), []);

  function send(next: string) {
    clearTimeout(timer.current);
    const trimmed = next.trim();
    setSent(trimmed);
    update({ [param]: trimmed || null }, { history: 'replace' });
  }

  function change(next: string) {
    setValue(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => send(next), debounceMs);
  }

  return (
    <div className="relative w-full sm:w-72">
      <label htmlFor={id} className="sr-only">
        {placeholder}
      </label>
      <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
      <Input
        id={id}
        // Not type=search: Chromium and Safari draw their own clear button beside ours.
        type="text"
        role="searchbox"
        enterKeyHint="search"
        value={value}
        placeholder={placeholder}
        onChange={(event) => change(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') send(value);
        }}
        className="pr-8 pl-8"
      />
      {isPending ? (
        <LoaderCircle aria-label="Searching" className="absolute top-1/2 right-2.5 size-4 -translate-y-1/2 animate-spin text-muted-foreground" />
      ) : value ? (
        <Button variant="ghost" size="icon-sm" aria-label="Clear search" className="absolute top-1/2 right-0.5 -translate-y-1/2" onClick={() => change('')}>
          <X />
        </Button>
      ) : null}
    </div>
  );
}

/** A one-of filter bound to a URL parameter; the empty option removes it. */
export function DataTableSelectFilter({
  param,
  label,
  options,
  allLabel = 'All',
}: {
  param: string;
  label: string;
  options: readonly { value: string; label: string }[];
  allLabel?: string;
}) {
  const { searchParams, update } = useSearchParamsUpdater();
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm text-muted-foreground">
        {label}
      </label>
      <Select id={id} value={searchParams.get(param) ?? ''} onChange={(event) => update({ [param]: event.target.value || null })} className="w-36">
        <option value="">{allLabel}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </div>
  );
}

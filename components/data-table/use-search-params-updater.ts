'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useTransition } from 'react';

export type SearchParamsPatch = Record<string, string | number | null | undefined>;

/**
 * The query the last update asked for, and the address bar's query when it asked. Until that
 * navigation lands the address bar still shows the old query, so a second change made meanwhile (a
 * filter chosen while a search waits out its debounce, two quick dropdown changes) composes on the
 * pending query instead of the old one and loses nothing. Once the address bar moved on its own
 * (Back, a link), it wins again.
 */
let pending: { path: string; from: string; query: string } | null = null;

/** The query the next update builds on (exported for the unit test). */
export function baseQuery(path: string, addressBar: string): string {
  const current = addressBar.replace(/^\?/, '');
  if (pending && pending.path === path && pending.from === current && pending.query !== current) return pending.query;
  pending = null;
  return current;
}

/** Records an update that was asked for and has not landed yet. */
export function notePending(path: string, from: string, query: string): void {
  pending = { path, from: from.replace(/^\?/, ''), query };
}

/**
 * Writes table state into the URL, which the server page reads to query the next page. `null` or ''
 * removes a key. Any change other than the page itself goes back to page 1: page 7 of another sort
 * or filter means nothing. Discrete changes (sort, page, filter) add a history entry so Back undoes
 * them; typing in a search box replaces it instead of leaving one entry per pause.
 * `isPending` is true until the server has answered.
 */
export function useSearchParamsUpdater() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [isPending, startTransition] = useTransition();

  const update = useCallback(
    (patch: SearchParamsPatch, { history = 'push' }: { history?: 'push' | 'replace' } = {}) => {
      // The address bar, not the render's searchParams: a debounced search may fire after a filter
      // changed, and must not undo it with the URL it saw when it was scheduled.
      const from = window.location.search;
      const next = new URLSearchParams(baseQuery(pathname, from));
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined || value === '') next.delete(key);
        else next.set(key, String(value));
      }
      if (!('page' in patch)) next.delete('page');
      const query = next.toString();
      notePending(pathname, from, query);
      const href = query ? `${pathname}?${query}` : pathname;
      startTransition(() => (history === 'push' ? router.push(href, { scroll: false }) : router.replace(href, { scroll: false })));
    },
    [pathname, router],
  );

  return { searchParams, update, isPending };
}

'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';

/**
 * What an empty, filtered list says, with the way back: a link that drops every filter and the
 * search (keeping `keep`, e.g. the alert tab, and the sort and page size).
 */
export function FilteredEmpty({ message, keep = [] }: { message: string; keep?: readonly string[] }) {
  const pathname = usePathname();
  const current = useSearchParams();
  const next = new URLSearchParams();
  for (const key of ['sort', 'perPage', ...keep]) {
    const value = current.get(key);
    if (value) next.set(key, value);
  }
  const query = next.toString();
  return (
    <span className="inline-flex flex-wrap items-center justify-center gap-x-2">
      {message}
      <Link href={query ? `${pathname}?${query}` : pathname} className="font-medium text-primary underline-offset-4 hover:underline">
        Clear filters
      </Link>
    </span>
  );
}

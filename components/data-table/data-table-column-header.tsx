'use client';

import type { Column, RowData } from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ChevronsUpDown } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { cn } from '@/components/ui/cn';
import type { DataTableFeatures } from './features';

/**
 * The header whose sort a person just changed. Sorting goes through the URL and the server renders the
 * new page, which can replace the header buttons: the new one takes the focus back, so a keyboard user
 * who pressed Enter stays on the header instead of being dropped on the page body.
 */
let refocus: string | null = null;

/** A header that sorts its column when clicked; plain text when the column is not sortable. */
export function DataTableColumnHeader<TData extends RowData, TValue>({
  column,
  title,
  className,
}: {
  column: Column<DataTableFeatures, TData, TValue>;
  title: string;
  className?: string;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const sorted = column.getCanSort() ? column.getIsSorted() : false;
  useEffect(() => {
    if (refocus !== column.id || !button.current) return;
    const active = document.activeElement;
    // Only when the focus was lost (on the body) or is still on this header: never steal it from elsewhere.
    if (active === null || active === document.body || active === button.current) button.current.focus();
  }, [column.id, sorted]);
  if (!column.getCanSort()) return <span className={className}>{title}</span>;
  const Icon = sorted === 'asc' ? ArrowUp : sorted === 'desc' ? ArrowDown : ChevronsUpDown;
  return (
    <button
      type="button"
      ref={button}
      data-sort-column={column.id}
      // Focus moving to another element ends the hand-over; a button removed by the re-render blurs to nothing.
      onBlur={(event) => {
        if (event.relatedTarget) refocus = null;
      }}
      onClick={(event) => {
        refocus = column.id;
        column.getToggleSortingHandler()?.(event);
      }}
      className={cn(
        '-mx-2 inline-flex h-8 cursor-pointer items-center gap-1.5 rounded-md px-2 hover:bg-muted hover:text-foreground',
        'focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
        sorted && 'text-foreground',
        className,
      )}
    >
      {title}
      <Icon aria-hidden className={cn('size-3.5', !sorted && 'opacity-50')} />
      <span className="sr-only">
        {sorted === 'asc' ? ', sorted ascending' : sorted === 'desc' ? ', sorted descending' : ', not sorted'}
      </span>
    </button>
  );
}

'use client';

import type { Column, RowData } from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ChevronsUpDown } from 'lucide-react';
import { cn } from '@/components/ui/cn';
import type { DataTableFeatures } from './features';

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
  if (!column.getCanSort()) return <span className={className}>{title}</span>;
  const sorted = column.getIsSorted();
  const Icon = sorted === 'asc' ? ArrowUp : sorted === 'desc' ? ArrowDown : ChevronsUpDown;
  return (
    <button
      type="button"
      onClick={column.getToggleSortingHandler()}
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

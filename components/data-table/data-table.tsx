'use client';

import type { ReactTable, RowData } from '@tanstack/react-table';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { DataTablePagination } from './data-table-pagination';
import type { DataTableFeatures } from './features';

export interface DataTableProps<TData extends RowData> {
  /** From `useDataTable()`. */
  table: ReactTable<DataTableFeatures, TData>;
  /** True while the server prepares the page the URL now asks for; the stale rows are dimmed. */
  isPending?: boolean;
  /** Above the table: usually a `<DataTableToolbar>`. */
  toolbar?: ReactNode;
  /** What an empty page says, e.g. "No users match “ada”." */
  emptyMessage?: ReactNode;
  /** Names the table for screen readers. */
  label: string;
  className?: string;
}

/** Renders any certfleet table: header with sort buttons, rows, an empty state, and the pager. */
export function DataTable<TData extends RowData>({ table, isPending, toolbar, emptyMessage = 'No results.', label, className }: DataTableProps<TData>) {
  const rows = table.getRowModel().rows;
  const columnCount = table.getAllLeafColumns().length;
  // An address such as ?page=99 on a list of two pages: the rows exist, this page does not.
  const { pageIndex } = table.state.pagination;
  const pageCount = Math.max(1, table.getPageCount());
  const pastTheEnd = rows.length === 0 && table.getRowCount() > 0 && pageIndex >= pageCount;

  return (
    <div className={cn('flex flex-col gap-3', className)}>
      {toolbar}
      <div className="overflow-hidden rounded-lg border border-border bg-card">
        <Table aria-label={label} aria-busy={isPending || undefined} className={cn('transition-opacity', isPending && 'opacity-60')}>
          <TableHeader>
            {table.getHeaderGroups().map((group) => (
              <TableRow key={group.id} className="hover:bg-transparent">
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta;
                  const sorted = header.column.getIsSorted();
                  return (
                    <TableHead
                      key={header.id}
                      colSpan={header.colSpan}
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                      align={meta?.align}
                      className={meta?.className}
                    >
                      {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                    </TableHead>
                  );
                })}
              </TableRow>
            ))}
          </TableHeader>
          <TableBody>
            {rows.length ? (
              rows.map((row) => (
                <TableRow key={row.id}>
                  {row.getAllCells().map((cell) => {
                    const meta = cell.column.columnDef.meta;
                    return (
                      <TableCell key={cell.id} className={cn(meta?.align === 'end' && 'text-right tabular-nums', meta?.className)}>
                        <table.FlexRender cell={cell} />
                      </TableCell>
                    );
                  })}
                </TableRow>
              ))
            ) : (
              <TableRow className="hover:bg-transparent">
                <TableCell colSpan={columnCount} className="h-28 text-center text-muted-foreground">
                  {pastTheEnd ? <PastTheEnd page={pageIndex + 1} lastPage={pageCount} /> : emptyMessage}
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </div>
      <DataTablePagination table={table} />
    </div>
  );
}

/** Says that the page asked for is past the end, with a link to the last one that has rows. */
function PastTheEnd({ page, lastPage }: { page: number; lastPage: number }) {
  const pathname = usePathname();
  const params = new URLSearchParams(useSearchParams().toString());
  if (lastPage > 1) params.set('page', String(lastPage));
  else params.delete('page');
  const query = params.toString();
  return (
    <span data-testid="past-the-end">
      There is no page {page}: the list ends at page {lastPage}.{' '}
      <Link href={query ? `${pathname}?${query}` : pathname} className="font-medium text-primary underline-offset-4 hover:underline">
        Go to page {lastPage}
      </Link>
    </span>
  );
}

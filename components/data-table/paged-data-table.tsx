'use client';

import type { ReactNode } from 'react';
import type { TableSearch } from '@/lib/validation/table-search-params';
import { DataTable } from './data-table';
import { FilteredEmpty } from './filtered-empty';
import { useDataTable, type UseDataTableOptions } from './use-data-table';

export interface PagedDataTableProps<TData extends { id: string }> {
  /** One page of rows, already sorted and paged by the server (unwrapped with `use()` by the caller). */
  rows: TData[];
  /** Rows matching the filters across all pages. */
  total: number;
  /** From a module-level `get…Columns()` or a `useMemo`, never built inline. */
  columns: UseDataTableOptions<TData>['columns'];
  /** The URL state as the server parsed it. */
  search: TableSearch<string>;
  /** Names the table for screen readers. */
  label: string;
  /** The toolbar above the table: a `<DataTableToolbar>` with this list's search and filters. */
  toolbar: ReactNode;
  /** True when a search or filter narrows the list: an empty page then offers to clear them. */
  filtered: boolean;
  /** What an empty filtered page says, e.g. "No users match these filters." */
  filteredMessage: string;
  /** URL parameters that clearing the filters keeps (e.g. the alert tab). */
  filteredKeep?: readonly string[];
  /** What an empty, unfiltered list says. */
  emptyMessage: ReactNode;
}

/**
 * The shell every server-paged list shares: a URL-driven TanStack table (`useDataTable`) drawn by
 * `<DataTable>`, with the empty state that tells "nothing yet" from "nothing matches". A list
 * supplies its columns, toolbar and wording.
 */
export function PagedDataTable<TData extends { id: string }>({
  rows,
  total,
  columns,
  search,
  label,
  toolbar,
  filtered,
  filteredMessage,
  filteredKeep,
  emptyMessage,
}: PagedDataTableProps<TData>) {
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  return (
    <DataTable
      table={table}
      isPending={isPending}
      label={label}
      emptyMessage={filtered ? <FilteredEmpty message={filteredMessage} keep={filteredKeep} /> : emptyMessage}
      toolbar={toolbar}
    />
  );
}

function getRowId(row: { id: string }): string {
  return row.id;
}

'use client';

import type { ReactNode } from 'react';
import type { TableSearch } from '@/lib/validation/table-search-params';
import { DataTable } from './data-table';
import { FilteredEmpty } from './filtered-empty';
import { isFiltered } from './is-filtered';
import { useDataTable, type UseDataTableOptions } from './use-data-table';

export interface PagedDataTableProps<TData extends { id: string }> {
  /** One page of rows, already sorted and paged by the server, and how many rows match across all pages. */
  page: { rows: TData[]; total: number };
  /** From a module-level `get…Columns()` or a `useMemo`, never built inline. */
  columns: UseDataTableOptions<TData>['columns'];
  /** The URL state as the server parsed it; any search or filter in it makes an empty page offer to clear them. */
  search: TableSearch<string>;
  /** Names the table for screen readers. */
  label: string;
  /** What an empty page says: when a search or filter narrows the list, and when there is nothing at all. */
  empty: { filtered: string; none: ReactNode };
  /** URL state that picks a view rather than filters (the alert tab): not a filter, and kept by "Clear filters". */
  keep?: readonly string[];
  /** The toolbar above the table: a `<DataTableToolbar>` with this list's search and filters. */
  toolbar: ReactNode;
}

/**
 * The shell every server-paged list shares: a URL-driven TanStack table (`useDataTable`) drawn by
 * `<DataTable>`, with the empty state that tells "nothing yet" from "nothing matches". A list
 * supplies its columns, toolbar and wording.
 */
export function PagedDataTable<TData extends { id: string }>({ page, columns, search, label, empty, keep, toolbar }: PagedDataTableProps<TData>) {
  const { table, isPending } = useDataTable({ data: page.rows, columns, rowCount: page.total, search, getRowId });
  return (
    <DataTable
      table={table}
      isPending={isPending}
      label={label}
      emptyMessage={isFiltered(search, keep) ? <FilteredEmpty message={empty.filtered} keep={keep} /> : empty.none}
      toolbar={toolbar}
    />
  );
}

function getRowId(row: { id: string }): string {
  return row.id;
}

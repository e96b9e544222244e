'use client';

import {
  type ColumnDef,
  functionalUpdate,
  type OnChangeFn,
  type PaginationState,
  type RowData,
  type SortingState,
  useTable,
} from '@tanstack/react-table';
import { useMemo } from 'react';
import type { TableSearch } from '@/lib/validation/table-search-params';
import { dataTableFeatures, type DataTableFeatures } from './features';
import { useSearchParamsUpdater } from './use-search-params-updater';

export interface UseDataTableOptions<TData extends RowData> {
  /** One page of rows, already sorted and paged by the server. Keep the reference stable. */
  data: TData[];
  /** From a module-level `get…Columns()` or a `useMemo`, never built inline. */
  columns: ReadonlyArray<ColumnDef<DataTableFeatures, TData, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- columns of mixed value types, as TanStack's own helper returns
  /** Rows matching the filters across all pages. */
  rowCount: number;
  /** The URL state as the server parsed it (lib/validation/table-search-params.ts). */
  search: TableSearch<string>;
  getRowId?: (row: TData) => string;
}

/**
 * A TanStack table whose sorting and paging live in the URL. The table never holds its own copy of
 * that state: it reads what the server parsed, and each change becomes a URL update that the
 * server answers with the next page.
 */
export function useDataTable<TData extends RowData>({ data, columns, rowCount, search, getRowId }: UseDataTableOptions<TData>) {
  const { update, isPending } = useSearchParamsUpdater();

  const sorting = useMemo<SortingState>(() => [{ id: search.sort, desc: search.dir === 'desc' }], [search.sort, search.dir]);
  const pagination = useMemo<PaginationState>(
    () => ({ pageIndex: search.page - 1, pageSize: search.perPage }),
    [search.page, search.perPage],
  );

  const onSortingChange: OnChangeFn<SortingState> = (updater) => {
    const [next] = functionalUpdate(updater, sorting);
    update({ sort: next?.id ?? null, dir: next ? (next.desc ? 'desc' : 'asc') : null });
  };

  const onPaginationChange: OnChangeFn<PaginationState> = (updater) => {
    const next = functionalUpdate(updater, pagination);
    if (next.pageSize !== pagination.pageSize) update({ perPage: next.pageSize, page: null });
    else update({ page: next.pageIndex > 0 ? next.pageIndex + 1 : null });
  };

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    rowCount,
    getRowId,
    state: { sorting, pagination },
    onSortingChange,
    onPaginationChange,
    manualSorting: true,
    manualPagination: true,
    // One sort at a time and always one, as the SQL query and the URL expect.
    enableMultiSort: false,
    enableSortingRemoval: false,
    autoResetPageIndex: false,
  });

  return { table, isPending };
}

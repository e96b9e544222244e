import {
  createColumnHelper,
  metaHelper,
  type RowData,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/react-table';

export interface DataTableColumnMeta {
  /** Header and cell alignment; numbers read better right-aligned. */
  align?: 'start' | 'end';
  /** Extra classes for the column's <th> and <td> (width, truncation). */
  className?: string;
}

/**
 * The features every certfleet table registers. Sorting and paging happen in SQL: the features
 * provide the state and the header/pager APIs, `manualSorting`/`manualPagination` keep TanStack
 * from re-sorting or slicing the page it is given.
 */
export const dataTableFeatures = tableFeatures({
  rowSortingFeature,
  rowPaginationFeature,
  columnMeta: metaHelper<DataTableColumnMeta>(),
});

export type DataTableFeatures = typeof dataTableFeatures;

/** Column helper bound to the data-table features; use it in a page's `get…Columns()`. */
export function createDataTableColumnHelper<TData extends RowData>() {
  return createColumnHelper<DataTableFeatures, TData>();
}

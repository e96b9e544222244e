'use client';

import type { RowData } from '@tanstack/react-table';
import type { ReactTable } from '@tanstack/react-table';
import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight } from 'lucide-react';
import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { Select, SelectOptions } from '@/components/ui/select';
import { PER_PAGE_OPTIONS } from '@/lib/validation/table-search-constants';
import type { DataTableFeatures } from './features';

const number = new Intl.NumberFormat('en');

export function DataTablePagination<TData extends RowData>({
  table,
  pageSizeOptions = PER_PAGE_OPTIONS,
}: {
  table: ReactTable<DataTableFeatures, TData>;
  pageSizeOptions?: readonly number[];
}) {
  const perPageId = useId();
  const { pageIndex, pageSize } = table.state.pagination;
  const rowCount = table.getRowCount();
  const pageCount = Math.max(1, table.getPageCount());
  const first = rowCount === 0 ? 0 : Math.min(pageIndex * pageSize + 1, rowCount);
  const last = Math.min((pageIndex + 1) * pageSize, rowCount);

  return (
    <div className="flex flex-wrap items-center justify-between gap-x-6 gap-y-3 px-1 text-sm">
      <p className="text-muted-foreground" aria-live="polite">
        {rowCount === 0 ? 'No rows' : `${number.format(first)}–${number.format(last)} of ${number.format(rowCount)}`}
      </p>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-3">
        <div className="flex items-center gap-2">
          <label htmlFor={perPageId} className="whitespace-nowrap text-muted-foreground">
            Rows per page
          </label>
          <Select id={perPageId} value={pageSize} onChange={(event) => table.setPageSize(Number(event.target.value))} className="w-20">
            <SelectOptions values={pageSizeOptions} label={(size) => size} />
          </Select>
        </div>
        <span className="whitespace-nowrap">
          Page {number.format(pageIndex + 1)} of {number.format(pageCount)}
        </span>
        <div className="flex items-center gap-1">
          {[
            { label: 'First page', Icon: ChevronsLeft, go: () => table.firstPage(), can: table.getCanPreviousPage() },
            { label: 'Previous page', Icon: ChevronLeft, go: () => table.previousPage(), can: table.getCanPreviousPage() },
            { label: 'Next page', Icon: ChevronRight, go: () => table.nextPage(), can: table.getCanNextPage() },
            { label: 'Last page', Icon: ChevronsRight, go: () => table.lastPage(), can: table.getCanNextPage() },
          ].map(({ label, Icon, go, can }) => (
            <Button key={label} variant="outline" size="icon-sm" aria-label={label} onClick={go} disabled={!can}>
              <Icon />
            </Button>
          ))}
        </div>
      </div>
    </div>
  );
}

import type { ReactNode } from 'react';
import { cn } from './cn';
import { Table, TableBody, TableHead, TableHeader, TableRow } from './table';

/** A column of a `<SimpleTable>`: its heading, or the heading with how to show it. */
export type SimpleColumn = string | { label: string; align?: 'start' | 'end'; /** Read by screen readers only (an actions column). */ srOnly?: boolean };

/**
 * A small table in a bordered box for lists a page has in full (no paging or sorting): a header row
 * from `columns`, and the caller's `<TableRow>`s as the body. Paged lists use `components/data-table`.
 */
export function SimpleTable({ label, columns, className, children }: { label: string; columns: readonly SimpleColumn[]; className?: string; children: ReactNode }) {
  return (
    <div className={cn('overflow-hidden rounded-lg border border-border', className)}>
      <Table aria-label={label}>
        <TableHeadings columns={columns} />
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
}

/** A table's header row from `columns`, for tables that are not a `<SimpleTable>` (in a card, say). */
export function TableHeadings({ columns }: { columns: readonly SimpleColumn[] }) {
  return (
    <TableHeader>
      <TableRow className="hover:bg-transparent">
        {columns.map((column) => {
          const { label: heading, align, srOnly } = typeof column === 'string' ? { label: column } : column;
          return (
            <TableHead key={heading} align={align}>
              {srOnly ? <span className="sr-only">{heading}</span> : heading}
            </TableHead>
          );
        })}
      </TableRow>
    </TableHeader>
  );
}

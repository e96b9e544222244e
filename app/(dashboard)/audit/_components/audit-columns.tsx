'use client';

import Link from 'next/link';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import type { AuditRow } from '@/lib/data/audit';
import { formatDateTime } from '../../certificates/_components/format';

const column = createDataTableColumnHelper<AuditRow>();

/** Where a target has a page of its own. */
function targetHref(row: AuditRow): string | null {
  if (!row.targetId) return null;
  if (row.targetType === 'certificate') return `/certificates/${row.targetId}`;
  if (row.targetType === 'device') return `/devices/${row.targetId}`;
  return null;
}

export function getAuditColumns() {
  return column.columns([
    column.accessor('at', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="When" />,
      cell: ({ getValue }) => (
        <time dateTime={getValue().toISOString()} className="whitespace-nowrap">
          {formatDateTime(getValue())}
        </time>
      ),
      sortDescFirst: true,
    }),
    column.accessor('actorEmail', {
      header: 'Actor',
      enableSorting: false,
    }),
    column.accessor('action', {
      header: 'Action',
      enableSorting: false,
      cell: ({ getValue }) => <span className="font-mono text-xs">{getValue()}</span>,
    }),
    column.accessor((row) => row.targetLabel ?? row.targetId ?? '', {
      id: 'target',
      header: 'Target',
      enableSorting: false,
      cell: ({ row }) => {
        const href = targetHref(row.original);
        const text = row.original.targetLabel ?? row.original.targetId ?? '—';
        return (
          <span className="flex flex-col">
            <span className="text-xs text-muted-foreground">{row.original.targetType}</span>
            {href ? (
              <Link href={href} className="text-primary hover:underline">
                {text}
              </Link>
            ) : (
              <span>{text}</span>
            )}
          </span>
        );
      },
    }),
    column.accessor('reason', {
      header: 'Reason',
      enableSorting: false,
      cell: ({ getValue }) => getValue() ?? <span className="text-muted-foreground">—</span>,
    }),
    column.accessor('details', {
      header: 'Details',
      enableSorting: false,
      meta: { className: 'max-w-xs' },
      cell: ({ getValue }) => {
        const details = getValue();
        return details ? (
          <code className="block truncate font-mono text-xs text-muted-foreground" title={details}>
            {details}
          </code>
        ) : null;
      },
    }),
  ]);
}

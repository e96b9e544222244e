'use client';

import Link from 'next/link';
import { AlertStateBadge, SeverityBadge, When } from '@/components/alerts/alert-badges';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import { CONDITION_LABELS } from '@/lib/alerts/condition-labels';
import { subjectPath } from '@/lib/alerts/links';
import type { AlertRow } from '@/lib/data/alerts';
import { AcknowledgeDialog } from '@/components/alerts/acknowledge-dialog';

const column = createDataTableColumnHelper<AlertRow>();

export function getAlertColumns({ canAcknowledge }: { canAcknowledge: boolean }) {
  return column.columns([
    column.accessor('severity', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Severity" />,
      cell: ({ getValue }) => <SeverityBadge severity={getValue()} />,
      sortDescFirst: true,
      meta: { className: 'w-24' },
    }),
    column.accessor('summary', {
      header: 'Alert',
      enableSorting: false,
      cell: ({ row }) => (
        <div className="flex min-w-64 flex-col gap-0.5 whitespace-normal">
          <Link href={`/alerts/${row.original.id}`} className="font-medium hover:underline">
            {row.original.summary}
          </Link>
          {row.original.escalation && row.original.state !== 'RESOLVED' ? (
            <span className="text-xs text-red-700 dark:text-red-300">{row.original.escalation}</span>
          ) : null}
          <span className="text-xs text-muted-foreground">
            {CONDITION_LABELS[row.original.condition]} · rule “{row.original.ruleName}”{row.original.groupName ? ` · ${row.original.groupName}` : ''}
          </span>
        </div>
      ),
    }),
    column.accessor('subjectLabel', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Subject" />,
      cell: ({ row }) => {
        const href = subjectPath(row.original);
        return href ? (
          <Link href={href} className="block max-w-56 truncate text-primary hover:underline" title={row.original.subjectLabel}>
            {row.original.subjectLabel}
          </Link>
        ) : (
          <span className="block max-w-56 truncate" title={row.original.subjectLabel}>
            {row.original.subjectLabel}
          </span>
        );
      },
    }),
    column.accessor('raisedAt', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Raised" />,
      cell: ({ getValue }) => <When at={getValue()} className="text-xs whitespace-nowrap text-muted-foreground" />,
      sortDescFirst: true,
    }),
    column.accessor('state', {
      header: 'State',
      enableSorting: false,
      cell: ({ row }) => (
        <div className="flex flex-col items-start gap-0.5">
          <AlertStateBadge state={row.original.state} />
          {row.original.state === 'ACKNOWLEDGED' && row.original.acknowledgedByEmail ? (
            <span className="text-xs text-muted-foreground">by {row.original.acknowledgedByEmail}</span>
          ) : null}
        </div>
      ),
    }),
    column.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      meta: { align: 'end' },
      cell: ({ row }) => (canAcknowledge && row.original.state === 'OPEN' ? <AcknowledgeDialog alert={row.original} /> : null),
    }),
  ]);
}

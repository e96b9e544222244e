'use client';

import Link from 'next/link';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import { Badge } from '@/components/ui/badge';
import type { CustomCsrRow } from '@/lib/data/custom-csrs';
import { KEY_TYPE_LABELS } from '@/lib/validation/custom-csr-constants';

const column = createDataTableColumnHelper<CustomCsrRow>();

// Fixed locale and zone: the server render and the browser must print the same text.
const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

export function getCustomCsrColumns() {
  return column.columns([
    column.accessor('commonName', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Common name" />,
      cell: ({ row }) => (
        <Link href={`/custom-csrs/${row.original.id}`} className="font-medium text-primary hover:underline">
          {row.original.commonName}
        </Link>
      ),
    }),
    column.accessor('sans', {
      header: 'SANs',
      enableSorting: false,
      meta: { className: 'max-w-72' },
      cell: ({ getValue }) => <span className="block truncate text-muted-foreground" title={getValue().join(', ')}>{getValue().join(', ')}</span>,
    }),
    column.accessor('keyType', {
      header: 'Key',
      enableSorting: false,
      cell: ({ getValue }) => <Badge tone={getValue() === 'p256v1' ? 'info' : 'neutral'}>{KEY_TYPE_LABELS[getValue()]}</Badge>,
    }),
    column.accessor('organization', {
      header: 'Organization',
      enableSorting: false,
      cell: ({ row }) => (
        <span className="text-muted-foreground">
          {row.original.organization} ({row.original.country})
        </span>
      ),
    }),
    column.accessor('hostnames', {
      header: 'In use by',
      enableSorting: false,
      cell: ({ getValue }) => {
        const hosts = getValue();
        if (hosts.length === 0) return <span className="text-muted-foreground">Not in use</span>;
        const soonest = hosts.map((h) => h.expiresOn).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime())[0];
        return (
          <span className="flex flex-col">
            <span>{hosts.map((h) => h.hostname).join(', ')}</span>
            {soonest ? <span className="text-xs text-muted-foreground">expires {dateFormat.format(soonest)}</span> : null}
          </span>
        );
      },
    }),
    column.accessor('createdAt', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Created" />,
      cell: ({ getValue }) => <time dateTime={getValue().toISOString()}>{dateFormat.format(getValue())}</time>,
      sortDescFirst: true,
    }),
  ]);
}

'use client';

import Link from 'next/link';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import { Badge } from '@/components/ui/badge';
import type { DeviceRow } from '@/lib/data/devices';
import { CertificateStatusBadge, ExpiryBadge } from '@/components/certificates/certificate-badges';
import { formatDateTime } from '@/components/certificates/format';
import { selectionColumns } from '@/components/certificates/row-selection';

const column = createDataTableColumnHelper<DeviceRow>();

export function getDeviceColumns({ thresholds, selectable }: { thresholds: readonly number[]; selectable: boolean }) {
  return column.columns([
    ...selectionColumns<DeviceRow>(selectable, (row) => row.name),
    column.accessor('name', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Device" />,
      cell: ({ row }) => (
        <span className="flex items-center gap-2">
          <Link href={`/devices/${row.original.id}`} className="font-medium text-primary hover:underline">
            {row.original.name}
          </Link>
          {row.original.status !== 'ACTIVE' ? <Badge>{row.original.status === 'INACTIVE' ? 'Inactive' : 'Decommissioned'}</Badge> : null}
        </span>
      ),
    }),
    column.accessor('group', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Group" />,
    }),
    column.accessor((row) => row.certificate?.status ?? '', {
      id: 'certificateStatus',
      header: ({ column }) => <DataTableColumnHeader column={column} title="Certificate" />,
      cell: ({ row }) =>
        row.original.certificate ? (
          <Link href={`/certificates/${row.original.certificate.id}`} className="inline-flex">
            <CertificateStatusBadge status={row.original.certificate.status} />
          </Link>
        ) : (
          <span className="text-muted-foreground">none</span>
        ),
    }),
    column.accessor((row) => row.certificate?.expiresOn ?? null, {
      id: 'expiresOn',
      header: ({ column }) => <DataTableColumnHeader column={column} title="Expires" />,
      cell: ({ row }) =>
        row.original.certificate ? (
          <ExpiryBadge daysLeft={row.original.certificate.daysLeft} thresholds={thresholds} status={row.original.certificate.status} />
        ) : (
          <span className="text-muted-foreground">—</span>
        ),
    }),
    column.accessor('lastSeenAt', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Last seen" />,
      cell: ({ getValue }) => {
        const seen = getValue();
        return seen ? <time dateTime={seen.toISOString()}>{formatDateTime(seen)}</time> : <span className="text-muted-foreground">never</span>;
      },
      sortDescFirst: true,
    }),
  ]);
}

'use client';

import Link from 'next/link';
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import type { CertificateRow } from '@/lib/data/certificates';
import { CertificateStatusBadge, ExpiryBadge } from '@/components/certificates/certificate-badges';
import { formatDate } from '@/components/certificates/format';
import { selectionColumns } from '@/components/certificates/row-selection';

const column = createDataTableColumnHelper<CertificateRow>();

export const certificateLabel = (row: Pick<CertificateRow, 'serialNumber' | 'device'>) => (row.device ? `${row.device.name} (${row.serialNumber})` : row.serialNumber);

export function getCertificateColumns({ thresholds, selectable }: { thresholds: readonly number[]; selectable: boolean }) {
  return column.columns([
    ...selectionColumns<CertificateRow>(selectable, certificateLabel),
    column.accessor('serialNumber', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Serial" />,
      cell: ({ row }) => (
        <Link href={`/certificates/${row.original.id}`} className="font-mono text-xs font-medium text-primary hover:underline" title={row.original.serialNumber}>
          {row.original.serialNumber.length > 20 ? `${row.original.serialNumber.slice(0, 20)}…` : row.original.serialNumber}
        </Link>
      ),
    }),
    column.accessor((row) => row.device?.name ?? '', {
      id: 'device',
      header: ({ column }) => <DataTableColumnHeader column={column} title="Device" />,
      cell: ({ row }) =>
        row.original.device ? (
          <Link href={`/devices/${row.original.device.id}`} className="hover:underline">
            {row.original.device.name}
          </Link>
        ) : (
          <span className="text-muted-foreground">untracked</span>
        ),
    }),
    column.accessor('commonName', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Common name" />,
      cell: ({ getValue }) => <span className="text-muted-foreground">{getValue()}</span>,
    }),
    column.accessor('status', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Status" />,
      cell: ({ getValue }) => <CertificateStatusBadge status={getValue()} />,
    }),
    column.accessor('expiresOn', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Expires" />,
      cell: ({ row }) => (
        <div className="flex flex-col items-start gap-0.5">
          <ExpiryBadge daysLeft={row.original.daysLeft} thresholds={thresholds} status={row.original.status} />
          <time dateTime={row.original.expiresOn.toISOString()} className="text-xs text-muted-foreground">
            {formatDate(row.original.expiresOn)}
          </time>
        </div>
      ),
    }),
    column.accessor('issuedOn', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Issued" />,
      cell: ({ getValue }) => <time dateTime={getValue().toISOString()}>{formatDate(getValue())}</time>,
      sortDescFirst: true,
    }),
  ]);
}

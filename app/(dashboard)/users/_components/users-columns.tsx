'use client';

import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header';
import { createDataTableColumnHelper } from '@/components/data-table/features';
import { Badge, RoleBadge } from '@/components/ui/badge';
import type { UserRow } from '@/lib/data/users';
import { ManageUserDialog } from './manage-user-dialog';

const column = createDataTableColumnHelper<UserRow>();

// Fixed locale and zone: the server render and the browser must print the same text.
const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

export function getUserColumns({ currentUserId }: { currentUserId: string }) {
  return column.columns([
    column.accessor('name', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Name" />,
      cell: ({ row }) => (
        <span className="font-medium">
          {row.original.name}
          {row.original.id === currentUserId ? <span className="ml-1.5 text-xs font-normal text-muted-foreground">(you)</span> : null}
        </span>
      ),
    }),
    column.accessor('email', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Email" />,
      cell: ({ getValue }) => <span className="text-muted-foreground">{getValue()}</span>,
    }),
    column.accessor('role', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Role" />,
      cell: ({ getValue }) => <RoleBadge role={getValue()} />,
    }),
    column.accessor('disabled', {
      header: 'Status',
      enableSorting: false,
      cell: ({ getValue }) => (getValue() ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Active</Badge>),
    }),
    column.accessor('createdAt', {
      header: ({ column }) => <DataTableColumnHeader column={column} title="Created" />,
      cell: ({ getValue }) => <time dateTime={getValue().toISOString()}>{dateFormat.format(getValue())}</time>,
      sortDescFirst: true,
    }),
    column.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      meta: { align: 'end' },
      cell: ({ row }) => <ManageUserDialog user={row.original} isSelf={row.original.id === currentUserId} />,
    }),
  ]);
}

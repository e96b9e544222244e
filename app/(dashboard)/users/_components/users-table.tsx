'use client';

import { FilteredEmpty } from '@/components/data-table/filtered-empty';
import { use, useMemo } from 'react';
import { DataTable } from '@/components/data-table/data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { useDataTable } from '@/components/data-table/use-data-table';
import { roleLabel } from '@/components/ui/badge';
import { ROLES } from '@/lib/auth/permissions';
import type { UserRow } from '@/lib/data/users';
import type { UserListSearch } from '@/lib/validation/user';
import { getUserColumns } from './users-columns';

const roleOptions = ROLES.map((role) => ({ value: role, label: roleLabel(role) }));
const getRowId = (row: UserRow) => row.id;

export function UsersTable({
  users,
  search,
  currentUserId,
}: {
  users: Promise<{ rows: UserRow[]; total: number }>;
  search: UserListSearch;
  currentUserId: string;
}) {
  const { rows, total } = use(users);
  const columns = useMemo(() => getUserColumns({ currentUserId }), [currentUserId]);
  const { table, isPending } = useDataTable({ data: rows, columns, rowCount: total, search, getRowId });
  const filtered = !!search.q || !!search.role;

  return (
    <DataTable
      table={table}
      isPending={isPending}
      label="Users"
      emptyMessage={filtered ? <FilteredEmpty message="No users match these filters." /> : 'No users yet.'}
      toolbar={
        <DataTableToolbar>
          <DataTableSearch placeholder="Search name or email" />
          <DataTableSelectFilter param="role" label="Role" options={roleOptions} allLabel="All roles" />
        </DataTableToolbar>
      }
    />
  );
}

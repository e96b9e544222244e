'use client';

import { use, useMemo } from 'react';
import { PagedDataTable } from '@/components/data-table/paged-data-table';
import { DataTableSearch, DataTableSelectFilter, DataTableToolbar } from '@/components/data-table/data-table-toolbar';
import { roleLabel } from '@/components/ui/badge';
import { ROLES } from '@/lib/auth/permissions';
import type { UserRow } from '@/lib/data/users';
import type { UserListSearch } from '@/lib/validation/user';
import { getUserColumns } from './users-columns';

const roleOptions = ROLES.map((role) => ({ value: role, label: roleLabel(role) }));

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
  return (
    <PagedDataTable
      rows={rows}
      total={total}
      columns={columns}
      search={search}
      label="Users"
      filtered={!!search.q || !!search.role}
      filteredMessage="No users match these filters."
      emptyMessage="No users yet."
      toolbar={
        <DataTableToolbar>
          <DataTableSearch placeholder="Search name or email" />
          <DataTableSelectFilter param="role" label="Role" options={roleOptions} allLabel="All roles" />
        </DataTableToolbar>
      }
    />
  );
}

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
  const columns = useMemo(() => getUserColumns({ currentUserId }), [currentUserId]);
  return (
    <PagedDataTable
      page={use(users)}
      columns={columns}
      search={search}
      label="Users"
      empty={{ filtered: 'No users match these filters.', none: 'No users yet.' }}
      toolbar={
        <DataTableToolbar>
          <DataTableSearch placeholder="Search name or email" />
          <DataTableSelectFilter param="role" label="Role" options={roleOptions} allLabel="All roles" />
        </DataTableToolbar>
      }
    />
  );
}

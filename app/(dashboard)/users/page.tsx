import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { listPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { findUsers } from '@/lib/data/users';
import { parseUserListSearch } from '@/lib/validation/user';
import { CreateUserDialog } from './_components/create-user-dialog';
import { UserSessions } from './_components/user-sessions';
import { UsersTable } from './_components/users-table';

export const metadata: Metadata = { title: 'Users' };

export default listPage('users:manage', parseUserListSearch, async ({ user, search }) => {
  return (
    <>
      <PageHeader title="Users" description="Who can sign in to certfleet, and with which role." actions={<CreateUserDialog />} />
      <Suspense fallback={<DataTableSkeleton columns={6} />}>
        <UsersTable users={findUsers(user, search)} search={search} currentUserId={user.id} />
      </Suspense>
      <Suspense fallback={<DataTableSkeleton columns={6} />}>
        <UserSessions user={user} />
      </Suspense>
    </>
  );
});

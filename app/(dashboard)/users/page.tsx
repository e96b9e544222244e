import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton';
import { Forbidden } from '@/components/shell/forbidden';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { findUsers } from '@/lib/data/users';
import type { RawSearchParams } from '@/lib/validation/table-search-params';
import { parseUserListSearch } from '@/lib/validation/user';
import { CreateUserDialog } from './_components/create-user-dialog';
import { UserSessions } from './_components/user-sessions';
import { UsersTable } from './_components/users-table';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requireUser();
  if (!can(user.role, 'users:manage')) return <Forbidden permission="users:manage" />;
  const search = parseUserListSearch(await searchParams);

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
}

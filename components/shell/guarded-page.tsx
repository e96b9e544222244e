import type { ReactNode } from 'react';
import { can, type Permission } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import type { RawSearchParams } from '@/lib/validation/table-search-params';
import { Forbidden } from './forbidden';

/**
 * A page that only a role holding `permission` may see. A visitor who is not signed in goes to the
 * sign-in page; a signed-in user whose role lacks it gets `<Forbidden>` instead of the page, before
 * the page reads its params or any data. `render` gets the user and the page's own props.
 */
export function guardedPage<TProps extends object>(permission: Permission, render: (user: SessionUser, props: TProps) => ReactNode | Promise<ReactNode>) {
  return async function GuardedPage(props: TProps): Promise<ReactNode> {
    const user = await requireUser();
    if (!can(user.role, permission)) return <Forbidden permission={permission} />;
    return render(user, props);
  };
}

/** What a list page renders from: the signed-in user, its URL search as `parse` read it, and the raw search params. */
export interface ListPageContext<TSearch> {
  user: SessionUser;
  search: TSearch;
  raw: RawSearchParams;
}

/** A `guardedPage` whose URL search (sorting, paging, filters) `parse` reads once the permission is checked. */
export function listPage<TSearch>(
  permission: Permission,
  parse: (raw: RawSearchParams) => TSearch,
  render: (page: ListPageContext<TSearch>) => ReactNode | Promise<ReactNode>,
) {
  return guardedPage(permission, async (user, { searchParams }: { searchParams: Promise<RawSearchParams> }) => {
    const raw = await searchParams;
    return render({ user, search: parse(raw), raw });
  });
}

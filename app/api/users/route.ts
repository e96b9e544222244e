import { NextResponse } from 'next/server';
import { createUser, findUsers } from '@/lib/data/users';
import { route } from '@/lib/server/route';
import { searchParamsOf } from '@/lib/validation/table-search-params';
import { CreateUserSchema, parseUserListSearch } from '@/lib/validation/user';

/** The Users table as JSON, with the same query parameters as the page (`page`, `perPage`, `sort`, `dir`, `q`, `role`). */
export const GET = route({ permission: 'users:manage', query: searchParamsOf(parseUserListSearch) }, async ({ user, query }) => {
  const { rows, total } = await findUsers(user, query);
  return { rows, total, page: query.page, perPage: query.perPage };
});

/** Creates a user: `{ email, name, role, password }`. Same rules and audit event as the Users page. */
export const POST = route({ permission: 'users:manage', body: CreateUserSchema }, async ({ user, body }) =>
  NextResponse.json(await createUser(user, body), { status: 201 }),
);

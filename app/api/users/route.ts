import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { createUser, findUsers } from '@/lib/data/users';
import { CreateUserSchema, parseUserListSearch } from '@/lib/validation/user';
import { invalidBody, readJson, userChangeResponse } from '../_lib/responses';

/** The Users table as JSON, with the same query parameters as the page (`page`, `perPage`, `sort`, `dir`, `q`, `role`). */
export const GET = withPermission('users:manage', async (request, _context, user) => {
  const search = parseUserListSearch(Object.fromEntries(request.nextUrl.searchParams));
  const { rows, total } = await findUsers(user, search);
  return NextResponse.json({ rows, total, page: search.page, perPage: search.perPage });
});

/** Creates a user: `{ email, name, role, password }`. Same rules and audit event as the Users page. */
export const POST = withPermission('users:manage', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = CreateUserSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json(await createUser(user, parsed.data), { status: 201 });
  } catch (error) {
    return userChangeResponse(error);
  }
});

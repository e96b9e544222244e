import 'server-only';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { type NextRequest, NextResponse } from 'next/server';
import { cache } from 'react';
import { db } from '@/lib/db/client';
import { AuthError, assertCan, forbiddenMessage, NOT_SIGNED_IN, type SessionUser } from './errors';
import { authOptions } from './options';
import { can, type Permission } from './permissions';

export { AuthError, assertCan, type SessionUser } from './errors';

/**
 * The signed-in user, or null. Read from the database (once per request) rather than trusted from
 * the token: a disabled account is signed out and a changed role applies on the next request.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db().user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, role: true, disabled: true },
  });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
});

/** For pages and layouts: the signed-in user, or a redirect to the sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/signin');
  return user;
}

/**
 * For server actions and data functions: the signed-in user if their role holds `permission`.
 * Otherwise throws an `AuthError` (401 signed out, 403 "You do not have permission to …").
 * Call it first, before reading input or touching data.
 */
export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await getCurrentUser();
  assertCan(user, permission);
  return user;
}

/**
 * Wraps a route handler: 401 JSON when signed out, 403 JSON when the role lacks `permission`,
 * otherwise calls `handler` with the user. An `AuthError` thrown deeper down gets its status too.
 *
 * @example export const GET = withPermission('device:view', async (request, _context, user) => …);
 */
export function withPermission<TContext = unknown>(
  permission: Permission,
  handler: (request: NextRequest, context: TContext, user: SessionUser) => Response | Promise<Response>,
): (request: NextRequest, context: TContext) => Promise<Response> {
  return async (request, context) => {
    const user = await getCurrentUser();
    if (!user) return NextResponse.json({ error: NOT_SIGNED_IN }, { status: 401 });
    if (!can(user.role, permission)) return NextResponse.json({ error: forbiddenMessage(permission) }, { status: 403 });
    try {
      return await handler(request, context, user);
    } catch (error) {
      if (error instanceof AuthError) return NextResponse.json({ error: error.message }, { status: error.status });
      throw error;
    }
  };
}

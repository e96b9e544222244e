import 'server-only';
import { getServerSession } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { authenticateApiToken, bearerToken } from './api-tokens';
import { assertCan, type SessionUser } from './errors';
import { authOptions } from './options';
import type { Permission } from './permissions';
import { sessionUser } from './sessions';

export { AuthError, assertCan, type SessionUser } from './errors';

/**
 * The signed-in user (or the owner of the request's API token), or null. Read from the database (once per request) rather than trusted from
 * the token: a disabled account is signed out, a changed role applies on the next request, and a
 * token older than the user's last sign-out / password reset / disable / role change, or whose session was
 * ended from a session list, is refused.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  // A script with `Authorization: Bearer cfat_…` acts as the token (a bad token is a 401 with its reason).
  const token = bearerToken((await headers()).get('authorization'));
  if (token) return authenticateApiToken(token);
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  return sessionUser(id, session.sessionVersion ?? 0, session.sessionId);
});

/** For pages and layouts: the signed-in user, or a redirect to the sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/signin');
  return user;
}

/**
 * For the action and route wrappers (lib/server) and data functions: the signed-in user if their role
 * holds `permission`. Otherwise throws an `AuthError` (401 signed out, 403 "You do not have permission
 * to …"). Call it first, before reading input or touching data.
 */
export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await getCurrentUser();
  assertCan(user, permission);
  return user;
}

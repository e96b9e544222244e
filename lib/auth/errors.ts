import { AppError } from '@/lib/errors';
import { can, PERMISSION_DESCRIPTIONS, type Permission, type RoleName } from './permissions';

/** Who is acting: the signed-in user as the server last read them from the database. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  /** Set when the request authenticated with an API token (lib/auth/api-tokens.ts) instead of a session. */
  token?: { id: string; name: string; prefix: string; readOnly: boolean };
  /** The `UserSession` row of the browser session the request came with (lib/auth/sessions.ts). */
  sessionId?: string;
}

/**
 * A refusal: 401 (UNAUTHENTICATED) means nobody (or a disabled account) is signed in, 403 (FORBIDDEN)
 * means the role lacks the permission. Route handlers answer with that status; server actions show the
 * message.
 */
export class AuthError extends AppError<'UNAUTHENTICATED' | 'FORBIDDEN'> {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message);
    this.name = 'AuthError';
  }
}

export const NOT_SIGNED_IN = 'You are not signed in.';

export function forbiddenMessage(permission: Permission): string {
  return `You do not have permission to ${PERMISSION_DESCRIPTIONS[permission]}.`;
}

/**
 * Throws unless `actor` holds `permission`. Data functions call it with the actor they are given, so
 * a caller that forgot `requirePermission()` is still refused.
 */
export function assertCan(actor: SessionUser | null | undefined, permission: Permission): asserts actor is SessionUser {
  if (!actor) throw new AuthError(401, NOT_SIGNED_IN);
  if (!can(actor.role, permission)) throw new AuthError(403, forbiddenMessage(permission));
  if (actor.token?.readOnly && !permission.endsWith(':view')) {
    throw new AuthError(403, `The API token “${actor.token.name}” is read-only: it may not ${PERMISSION_DESCRIPTIONS[permission]}.`);
  }
}

/** The one message for every failed sign-in: it must not tell a guesser whether the email exists. */
export const SIGN_IN_FAILED = 'Email or password is incorrect.';

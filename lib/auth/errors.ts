import { can, PERMISSION_DESCRIPTIONS, type Permission, type RoleName } from './permissions';

/** Who is acting: the signed-in user as the server last read them from the database. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: RoleName;
}

/**
 * A refusal. `status` follows HTTP: 401 means nobody (or a disabled account) is signed in, 403 means
 * the role lacks the permission. Route handlers turn it into that status; server actions show the
 * message.
 */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
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
}

/** The one message for every failed sign-in: it must not tell a guesser whether the email exists. */
export const SIGN_IN_FAILED = 'Email or password is incorrect.';

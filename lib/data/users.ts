import 'server-only';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { hashPassword } from '@/lib/auth/password';
import { endSessionRecords } from '@/lib/auth/sessions';
import { forgetSignInFailures } from '@/lib/auth/throttle';
import type { RoleName } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { tablePage } from './table-page';
import type { CreateUserInput, UserListSearch } from '@/lib/validation/user';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  disabled: boolean;
  createdAt: Date;
}

const userRowSelect = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true } as const;

/** Why a user change was refused, in words an ADMIN can act on. */
export class UserChangeError extends AppError<'EMAIL_TAKEN' | 'NOT_FOUND' | 'LAST_ADMIN' | 'CONFLICT' | 'INVALID_STATE'> {
  constructor(
    code: UserChangeError['code'],
    message: string,
    /** The form field the message belongs next to, if any. */
    readonly field?: 'email',
  ) {
    super(code, message, { fieldErrors: field ? { [field]: [message] } : undefined });
    this.name = 'UserChangeError';
  }
}

/** One page of users, filtered, sorted and paged in SQL. */
export async function findUsers(actor: SessionUser, search: UserListSearch): Promise<{ rows: UserRow[]; total: number }> {
  assertCan(actor, 'users:manage');
  const where: Prisma.UserWhereInput = {
    ...(search.role ? { role: search.role } : {}),
    ...(search.q
      ? {
          OR: [
            { email: { contains: search.q, mode: 'insensitive' } },
            { name: { contains: search.q, mode: 'insensitive' } },
          ],
        }
      : {}),
  };
  return tablePage(search, (page) => db().user.findMany({ where, select: userRowSelect, ...page }), () => db().user.count({ where }));
}

export async function createUser(actor: SessionUser, input: CreateUserInput): Promise<UserRow> {
  assertCan(actor, 'users:manage');
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, role: input.role, passwordHash },
        select: userRowSelect,
      });
      await recordAudit(tx, {
        actor,
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        targetLabel: user.email,
        details: { name: user.name, role: user.role },
      });
      return user;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new UserChangeError('EMAIL_TAKEN', 'A user with this email already exists.', 'email');
    }
    throw error;
  }
}

export async function changeUserRole(actor: SessionUser, id: string, role: RoleName): Promise<UserRow> {
  assertCan(actor, 'users:manage');
  return changeGuardingLastAdmin(async (tx) => {
    const before = await findOrFail(tx, id);
    if (before.role === role) return before;
    // A new role ends the user's sessions: they sign in again and see what it allows.
    return changeEndingSessions(tx, actor, id, { role }, 'role changed', { action: 'user.role.change', details: { from: before.role, to: role } });
  }, actor.id === id ? 'You are the last active admin: make someone else an admin before changing your own role.' : undefined);
}

export async function setUserDisabled(actor: SessionUser, id: string, disabled: boolean): Promise<UserRow> {
  assertCan(actor, 'users:manage');
  return changeGuardingLastAdmin(async (tx) => {
    const before = await findOrFail(tx, id);
    if (before.disabled === disabled) return before;
    // Disabling ends the user's sessions; enabling bumps the version again, so no old token comes back to life.
    return changeEndingSessions(tx, actor, id, { disabled }, disabled ? 'account disabled' : 'account enabled', { action: disabled ? 'user.disable' : 'user.enable' });
  }, actor.id === id ? 'You are the last active admin: make someone else an admin before disabling yourself.' : undefined);
}

export async function resetUserPassword(actor: SessionUser, id: string, password: string): Promise<UserRow> {
  assertCan(actor, 'users:manage');
  const passwordHash = await hashPassword(password);
  return db().$transaction(async (tx) => {
    await findOrFail(tx, id);
    // An account made by single sign-on stays SSO-only: a password would be a second way in that the identity
    // provider (which decides who may sign in, and when not any more) knows nothing about.
    const { passwordHash: current } = await tx.user.findUniqueOrThrow({ where: { id }, select: { passwordHash: true } });
    if (current === null) {
      throw new UserChangeError('INVALID_STATE', 'This user signs in only through single sign-on and has no password to reset.');
    }
    // Whoever held the old password (or a session made with it) is signed out everywhere. The password itself
    // never reaches the log.
    const user = await changeEndingSessions(tx, actor, id, { passwordHash }, 'password reset', { action: 'user.password.reset' });
    // A locked-out user whose password an admin just reset should be able to use it at once.
    await forgetSignInFailures(tx, user.email);
    return user;
  });
}

/**
 * A change to a user that ends every session of theirs: the session version is bumped (each token they hold
 * stops working at its next request), the session rows are ended with `why`, and the change is audited.
 */
async function changeEndingSessions(
  tx: Prisma.TransactionClient,
  actor: SessionUser,
  id: string,
  data: Prisma.UserUpdateInput,
  why: string,
  audit: { action: string; details?: Prisma.InputJsonObject },
): Promise<UserRow> {
  const user = await tx.user.update({ where: { id }, data: { ...data, sessionVersion: { increment: 1 } }, select: userRowSelect });
  await endSessionRecords(tx, id, { why, by: actor });
  await recordAudit(tx, { actor, ...audit, targetType: 'user', targetId: id, targetLabel: user.email });
  return user;
}

async function findOrFail(tx: Prisma.TransactionClient, id: string): Promise<UserRow> {
  const user = await tx.user.findUnique({ where: { id }, select: userRowSelect });
  if (!user) throw new UserChangeError('NOT_FOUND', 'This user no longer exists.');
  return user;
}

/**
 * Runs a role or status change and refuses it if no enabled ADMIN would remain: nobody could manage
 * users any more. Serializable isolation makes two admins demoting each other at once conflict
 * instead of both succeeding; the loser is retried and then sees the rule.
 */
async function changeGuardingLastAdmin(
  change: (tx: Prisma.TransactionClient) => Promise<UserRow>,
  selfMessage = 'This would leave no active admin: make someone else an admin first.',
): Promise<UserRow> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction(
        async (tx) => {
          const user = await change(tx);
          const admins = await tx.user.count({ where: { role: 'ADMIN', disabled: false } });
          if (admins === 0) throw new UserChangeError('LAST_ADMIN', selfMessage);
          return user;
        },
        { isolationLevel: Prisma.TransactionIsolationLevel.Serializable },
      );
    } catch (error) {
      const serializationFailure = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2034';
      if (!serializationFailure) throw error;
      if (attempt >= 3) throw new UserChangeError('CONFLICT', 'Someone else changed users at the same time. Try again.');
    }
  }
}

import 'server-only';
import { recordAudit } from '@/lib/audit';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  ACCOUNT_SOFT_FAILURES,
  afterFailure,
  FORGET_AFTER_MS,
  FREE_FAILURES,
  isLocked,
  pairKey,
  softDelayMs,
  throttleKey,
  type ThrottleState,
  WINDOW_MS,
} from './throttle-policy';

/*
 * The sign-in throttle's storage (rules: throttle-policy.ts). Two rows per guessed email: the email's own
 * (key = email, the soft counter) and one per client address (key = `email|address`, the hard lock).
 */

/** Whether sign-in for this email from this address is refused right now, and how long to wait first otherwise. */
export async function signInGate(email: string, address: string, now = new Date()): Promise<{ locked: boolean; delayMs: number }> {
  const rows = await db().loginThrottle.findMany({ where: { key: { in: [pairKey(email, address), throttleKey(email)] } } });
  const pair = rows.find((r) => r.key === pairKey(email, address)) ?? null;
  const account = rows.find((r) => r.key === throttleKey(email)) ?? null;
  return { locked: isLocked(pair, now), delayMs: softDelayMs(account, now) };
}

/**
 * Counts one wrong password against the email from this address, and against the email; forgets stale rows.
 * The failure that locks the address (or starts slowing the email down) is audited, once per lock: attempts
 * refused while locked never get here.
 */
export async function recordSignInFailure(email: string, address: string, now = new Date()): Promise<ThrottleState> {
  const [pair, account] = await Promise.all([count(pairKey(email, address), now), count(throttleKey(email), now)]);
  // Bounded storage: rows whose window and lock have both run out say nothing any more.
  await db().loginThrottle.deleteMany({ where: { lastFailure: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } });
  if (pair.lockedUntil) await auditLockout(email, address, pair, 'signin.lockout', now);
  if (account.failures === ACCOUNT_SOFT_FAILURES + 1) await auditLockout(email, address, account, 'signin.slowdown', now);
  return pair;
}

/** Who the throttle's audit entries are from: nobody signed in did it. */
const THROTTLE_ACTOR = { id: null, email: 'system:sign-in-throttle' } as const;

/**
 * One audit entry per lock: `signin.lockout` when an address is locked out of an email, `signin.slowdown`
 * when failures from anywhere start slowing every attempt on the email. The email is as typed (normalised,
 * cut to 320 characters); an email with no account is recorded too, without a user id.
 */
async function auditLockout(email: string, address: string, state: ThrottleState, action: 'signin.lockout' | 'signin.slowdown', now: Date) {
  const label = throttleKey(email).slice(0, 320);
  const user = await db().user.findUnique({ where: { email: label }, select: { id: true } });
  const minutes = WINDOW_MS / 60_000;
  const lockSeconds = state.lockedUntil ? Math.round((state.lockedUntil.getTime() - now.getTime()) / 1000) : 0;
  const reason =
    action === 'signin.lockout'
      ? `${state.failures} wrong passwords from ${address} within ${minutes} minutes (${FREE_FAILURES} are free): that address may not sign in as this email for ${lockSeconds} s`
      : `${state.failures} wrong passwords from any address within ${minutes} minutes: every sign-in as this email now waits before its password is checked (the last from ${address})`;
  await recordAudit(db(), {
    actor: THROTTLE_ACTOR,
    action,
    targetType: 'user',
    targetId: user?.id ?? null,
    targetLabel: label,
    reason,
    details: {
      address,
      failures: state.failures,
      ...(action === 'signin.lockout' && state.lockedUntil ? { lockedUntil: state.lockedUntil.toISOString(), lockSeconds } : {}),
    },
  });
}

/**
 * Parallel guesses must each count, so the write is a compare-and-set on the row read (retried on a
 * lost race) rather than a blind overwrite.
 */
async function count(key: string, now: Date): Promise<ThrottleState> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await db().loginThrottle.findUnique({ where: { key } });
    const next = afterFailure(current, now);
    if (!current) {
      try {
        await db().loginThrottle.create({ data: { key, ...next } });
        return next;
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') continue;
        throw error;
      }
    }
    const { count: updated } = await db().loginThrottle.updateMany({
      where: { key, failures: current.failures, lastFailure: current.lastFailure },
      data: next,
    });
    if (updated === 1) return next;
  }
  throw new Error('Could not record a failed sign-in: too much contention on one email');
}

/** A correct password clears the email's counters from this address and the soft one, so earlier typos do not count against the next session. */
export async function clearSignInFailures(email: string, address: string): Promise<void> {
  await db().loginThrottle.deleteMany({ where: { key: { in: [pairKey(email, address), throttleKey(email)] } } });
}

/** Every counter of an email (an ADMIN reset its password): the owner can use the new one at once, from anywhere. */
export function forgetSignInFailures(tx: Prisma.TransactionClient, email: string) {
  return tx.loginThrottle.deleteMany({ where: { OR: [{ key: throttleKey(email) }, { key: { startsWith: `${throttleKey(email)}|` } }] } });
}

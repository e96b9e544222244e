import 'server-only';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { afterFailure, isLocked, throttleKey, type ThrottleState } from './throttle-policy';

/** Whether sign-in for this email is refused right now. */
export async function isSignInLocked(email: string, now = new Date()): Promise<boolean> {
  const state = await db().loginThrottle.findUnique({ where: { key: throttleKey(email) } });
  return isLocked(state, now);
}

/**
 * Counts one wrong password. Parallel guesses must each count, so the write is a compare-and-set on
 * the row read (retried on a lost race) rather than a blind overwrite.
 */
export async function recordSignInFailure(email: string, now = new Date()): Promise<ThrottleState> {
  const key = throttleKey(email);
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
    const { count } = await db().loginThrottle.updateMany({
      where: { key, failures: current.failures, lastFailure: current.lastFailure },
      data: next,
    });
    if (count === 1) return next;
  }
  throw new Error('Could not record a failed sign-in: too much contention on one email');
}

/** A correct password clears the record, so earlier typos do not count against the next session. */
export async function clearSignInFailures(email: string): Promise<void> {
  await db().loginThrottle.deleteMany({ where: { key: throttleKey(email) } });
}

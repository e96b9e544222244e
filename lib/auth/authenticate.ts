import 'server-only';
import { db } from '@/lib/db/client';
import type { SessionUser } from './errors';
import { verifyAgainstDummy, verifyPassword } from './password';
import { throttleKey } from './throttle-policy';
import { clearSignInFailures, isSignInLocked, recordSignInFailure } from './throttle';

// bcrypt reads only the first 72 bytes; longer input would only buy an attacker CPU time.
const MAX_PASSWORD_LENGTH = 1024;

/**
 * Checks an email and password. Every refusal (unknown email, wrong password, disabled account,
 * locked email) returns null, so the caller can only ever say one thing, and each path spends one
 * bcrypt comparison so timing does not tell them apart either.
 */
export async function authenticate(rawEmail: unknown, password: unknown): Promise<SessionUser | null> {
  if (typeof rawEmail !== 'string' || typeof password !== 'string' || !rawEmail.trim() || !password) return null;
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const email = throttleKey(rawEmail);

  if (await isSignInLocked(email)) {
    await verifyAgainstDummy(password);
    return null;
  }

  const user = await db().user.findUnique({ where: { email } });
  const passwordMatches = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
  if (!user || !passwordMatches) {
    await recordSignInFailure(email);
    return null;
  }
  if (user.disabled) return null;

  await clearSignInFailures(email);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

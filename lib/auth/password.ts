import bcrypt from 'bcryptjs';

/**
 * Cost 12 is OWASP's floor for bcrypt plus a margin; bcryptjs is pure JavaScript, so this is about
 * a quarter second per hash here, slow enough to hurt guessing and fast enough for a sign-in.
 * Tests may lower it through BCRYPT_COST (never below 4, bcrypt's own minimum).
 */
export const BCRYPT_COST = Math.max(4, Number(process.env.BCRYPT_COST) || 12);

/** The shortest initial or reset password an ADMIN may set. */
export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, BCRYPT_COST);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check when there is no user to check against, so the response time
 * does not tell an attacker which emails exist.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummyHash ??= bcrypt.hash('certfleet-no-such-user', BCRYPT_COST);
  await bcrypt.compare(plain, await dummyHash);
  return false;
}

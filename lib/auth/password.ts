import bcrypt from 'bcryptjs';

/**
 * OWASP asks for a bcrypt cost of at least 10; 12 adds margin. bcryptjs is pure JavaScript, so this
 * is about 0.3 s per hash on a small machine: slow for guessing, fine for a sign-in.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#bcrypt
 * Tests may lower it through BCRYPT_COST (never below 4, bcrypt's own minimum).
 */
export const BCRYPT_COST = Math.max(4, Number(process.env.BCRYPT_COST) || 12);

export { MIN_PASSWORD_LENGTH } from './password-rules';

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

/**
 * How certfleet slows down password guessing. Pure, so the rules are tested without a database
 * (lib/auth/throttle.ts stores the state in the `LoginThrottle` table); docs/security.md has the design.
 *
 * Two counters per wrong password:
 * - per (email, client address), the hard one: the first FREE_FAILURES wrong passwords within WINDOW_MS
 *   cost nothing; each further one locks that email *from that address* for twice as long as the one
 *   before (30 s, 1 min, 2 min, … capped at MAX_LOCK_MS). While locked every attempt from there is
 *   refused, even with the right password, with the same message as a wrong password.
 * - per email, the soft one: past ACCOUNT_SOFT_FAILURES failures within the window (from anywhere),
 *   every attempt on the email waits before its password is checked (SOFT_DELAY_STEP_MS more per
 *   failure, at most MAX_SOFT_DELAY_MS). It slows guessing from many addresses but never refuses, so
 *   an attacker cannot lock the owner out: from an address the attacker has not locked, the right
 *   password works, a few seconds late at worst.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks
 */
export const WINDOW_MS = 15 * 60_000;
export const FREE_FAILURES = 4;
export const BASE_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;
export const ACCOUNT_SOFT_FAILURES = 10;
export const SOFT_DELAY_STEP_MS = 250;
export const MAX_SOFT_DELAY_MS = 3_000;
/** Rows untouched this long are deleted (every lock has run out by then): the table stays bounded. */
export const FORGET_AFTER_MS = WINDOW_MS + MAX_LOCK_MS;

export interface ThrottleState {
  failures: number;
  lastFailure: Date;
  lockedUntil: Date | null;
}

/** Emails are case-insensitive; one spelling must not get a fresh allowance. */
export function throttleKey(email: string): string {
  return email.trim().toLowerCase();
}

/** The hard counter's key: one email from one client address. */
export function pairKey(email: string, address: string): string {
  return `${throttleKey(email)}|${address}`;
}

/** How long an attempt on an email waits before its password is checked, from the email's own counter. */
export function softDelayMs(account: ThrottleState | null, now: Date): number {
  if (!account || now.getTime() - account.lastFailure.getTime() > WINDOW_MS) return 0;
  const over = account.failures - ACCOUNT_SOFT_FAILURES;
  return over > 0 ? Math.min(over * SOFT_DELAY_STEP_MS, MAX_SOFT_DELAY_MS) : 0;
}

export function isLocked(state: ThrottleState | null, now: Date): boolean {
  return !!state?.lockedUntil && state.lockedUntil.getTime() > now.getTime();
}

/** How long the `failures`-th consecutive failure locks the email (0 while still free). */
export function lockDurationMs(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  // Exponent capped so 2 ** n never overflows into Infinity for absurd counts.
  const doublings = Math.min(failures - FREE_FAILURES - 1, 30);
  return Math.min(BASE_LOCK_MS * 2 ** doublings, MAX_LOCK_MS);
}

/** The state after one more wrong password at `now`. */
export function afterFailure(state: ThrottleState | null, now: Date): ThrottleState {
  // A stale record is forgotten only once its lock has also run out, so a lock is never cut short.
  const stale = !state || (now.getTime() - state.lastFailure.getTime() > WINDOW_MS && !isLocked(state, now));
  const failures = stale ? 1 : state.failures + 1;
  const lockMs = lockDurationMs(failures);
  return { failures, lastFailure: now, lockedUntil: lockMs > 0 ? new Date(now.getTime() + lockMs) : null };
}

/**
 * How certfleet slows down password guessing, per normalised email. Pure, so the rules are tested
 * without a database (lib/auth/throttle.ts stores the state in the `LoginThrottle` table).
 *
 * The first FREE_FAILURES wrong passwords within WINDOW_MS cost nothing; each further one locks the
 * email for twice as long as the one before (30 s, 1 min, 2 min, … capped at MAX_LOCK_MS). While
 * locked every attempt is refused, even with the right password, with the same message as a wrong
 * password so the lock does not confirm that a guess reached a real account.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks
 */
export const WINDOW_MS = 15 * 60_000;
export const FREE_FAILURES = 4;
export const BASE_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;

export interface ThrottleState {
  failures: number;
  lastFailure: Date;
  lockedUntil: Date | null;
}

/** Emails are case-insensitive; one spelling must not get a fresh allowance. */
export function throttleKey(email: string): string {
  return email.trim().toLowerCase();
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

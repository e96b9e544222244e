import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  BASE_LOCK_MS,
  FREE_FAILURES,
  isLocked,
  MAX_SOFT_DELAY_MS,
  softDelayMs,
  ACCOUNT_SOFT_FAILURES,
  lockDurationMs,
  MAX_LOCK_MS,
  throttleKey,
  type ThrottleState,
  WINDOW_MS,
} from './throttle-policy';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function failTimes(n: number, start: ThrottleState | null = null, now = t0): ThrottleState | null {
  let state = start;
  for (let i = 0; i < n; i++) state = afterFailure(state, now);
  return state;
}

describe('sign-in throttle', () => {
  it('lets the first few wrong passwords through without a lock', () => {
    const state = failTimes(FREE_FAILURES);
    expect(state?.failures).toBe(FREE_FAILURES);
    expect(isLocked(state, t0)).toBe(false);
  });

  it('locks after the fifth failure within the window', () => {
    const state = failTimes(5);
    expect(isLocked(state, t0)).toBe(true);
    expect(isLocked(state, at(BASE_LOCK_MS - 1))).toBe(true);
    expect(isLocked(state, at(BASE_LOCK_MS))).toBe(false);
  });

  it('doubles each further lock up to the cap', () => {
    const durations = [5, 6, 7, 8, 9, 10, 11].map(lockDurationMs);
    expect(durations.slice(0, 5)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(durations[5]).toBe(MAX_LOCK_MS);
    expect(lockDurationMs(10_000)).toBe(MAX_LOCK_MS);
    expect(lockDurationMs(1)).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const state = failTimes(FREE_FAILURES);
    const later = afterFailure(state, at(WINDOW_MS + 1));
    expect(later.failures).toBe(1);
    expect(later.lockedUntil).toBeNull();
  });

  it('keeps counting failures inside the window', () => {
    const state = failTimes(FREE_FAILURES);
    const later = afterFailure(state, at(WINDOW_MS - 1));
    expect(later.failures).toBe(FREE_FAILURES + 1);
    expect(isLocked(later, at(WINDOW_MS))).toBe(true);
  });

  it('never cuts a running lock short, even past the window', () => {
    const locked: ThrottleState = { failures: 12, lastFailure: t0, lockedUntil: at(WINDOW_MS + 60_000) };
    const next = afterFailure(locked, at(WINDOW_MS + 1));
    expect(next.failures).toBe(13);
    expect(next.lockedUntil!.getTime()).toBeGreaterThan(at(WINDOW_MS + 1).getTime());
  });

  it('treats spellings of one email as one key', () => {
    expect(throttleKey('  Ada@Example.TEST ')).toBe('ada@example.test');
  });

  it('is not locked without a record', () => {
    expect(isLocked(null, t0)).toBe(false);
  });
});

describe('the soft per-email limit', () => {
  it('slows attempts on an email after many failures from anywhere, by a bounded delay, and forgets after the window', () => {
    expect(softDelayMs(failTimes(ACCOUNT_SOFT_FAILURES), t0)).toBe(0);
    expect(softDelayMs(failTimes(ACCOUNT_SOFT_FAILURES + 1), t0)).toBeGreaterThan(0);
    expect(softDelayMs(failTimes(1000), t0)).toBe(MAX_SOFT_DELAY_MS);
    expect(softDelayMs(failTimes(1000), at(WINDOW_MS + 1))).toBe(0);
  });
});

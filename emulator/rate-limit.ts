/**
 * Cloudflare's global API limit: 1,200 requests per five minutes per user; once over it, every call
 * is refused with 429 for the next five minutes.
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */
import type { RateLimitConfig } from './config';

interface Bucket {
  /** Request times inside the current window (oldest first). */
  hits: number[];
  lockedUntil: number;
}

export type RateDecision =
  | { allowed: true; remaining: number; resetSeconds: number }
  | { allowed: false; retryAfterSeconds: number };

export interface RateLimitStats {
  /** Most requests of one credential seen inside one window (any window, since start or reset). */
  maxInWindow: number;
  /** Requests answered 429 (over the limit, or during a lock-out). */
  rateLimited: number;
  /** Lock-outs started. */
  lockouts: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  private counters: RateLimitStats = { maxInWindow: 0, rateLimited: 0, lockouts: 0 };

  reset(): void {
    this.buckets.clear();
    this.counters = { maxInWindow: 0, rateLimited: 0, lockouts: 0 };
  }

  /** What a test (or the bench) checks: the limit was never reached, nobody was locked out. */
  stats(): RateLimitStats {
    return { ...this.counters };
  }

  /** Counts one request for `credential` and says whether it may proceed. */
  take(credential: string, cfg: RateLimitConfig, now = Date.now()): RateDecision {
    let b = this.buckets.get(credential);
    if (!b) {
      b = { hits: [], lockedUntil: 0 };
      this.buckets.set(credential, b);
    }
    if (now < b.lockedUntil) {
      this.counters.rateLimited++;
      return { allowed: false, retryAfterSeconds: Math.ceil((b.lockedUntil - now) / 1000) };
    }
    const from = now - cfg.windowMs;
    let drop = 0;
    while (drop < b.hits.length && b.hits[drop] <= from) drop++;
    if (drop) b.hits.splice(0, drop);
    if (b.hits.length >= cfg.limit) {
      b.lockedUntil = now + cfg.lockoutMs;
      b.hits = [];
      this.counters.rateLimited++;
      this.counters.lockouts++;
      return { allowed: false, retryAfterSeconds: Math.ceil(cfg.lockoutMs / 1000) };
    }
    b.hits.push(now);
    this.counters.maxInWindow = Math.max(this.counters.maxInWindow, b.hits.length);
    const resetMs = b.hits[0] + cfg.windowMs - now;
    return { allowed: true, remaining: cfg.limit - b.hits.length, resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)) };
  }
}

/** mulberry32: a tiny seeded PRNG so fault injection can repeat exactly in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

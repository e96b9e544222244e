/**
 * Paces certfleet's own Cloudflare API calls (issuance, bulk enrollment, reconcile) so that they stay
 * under the account's rate limit and never trigger its lock-out.
 *
 * Cloudflare allows 1,200 requests per 5 minutes per user; the request over the limit is refused with
 * 429 and so is every request of the next 5 minutes. A lock-out stalls every part of certfleet that
 * talks to the API (and any other tool sharing the token), so the pacer aims never to reach the limit:
 *
 * - A token bucket holding at most 10 % of the limit and refilling at 80 % of it per window: in any
 *   window of the limit's length at most 90 % of the limit is spent here, leaving room for other callers.
 * - The `ratelimit` / `ratelimit-policy` response headers (draft-ietf-httpapi-ratelimit-headers, sent by
 *   Cloudflare's API and the local emulator) correct it: the policy (`q`, `w`) resizes the bucket, and
 *   when few requests remain (`r`) in the current window the pacer waits the reset time (`t`). That
 *   also covers calls made by other processes with the same token, which the bucket cannot see.
 * - A 429 pauses every caller for its `retry-after`.
 *
 * At Cloudflare's limit that is 3.2 requests a second after a burst of 120: 2,000 list pages
 * (100,000 certificates at 50 a page) take about (2,000 − 120) / 3.2 ≈ 590 s, just under 10 minutes.
 *
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */

export interface RatePolicy {
  /** Requests per window. */
  limit: number;
  windowMs: number;
}

/** Cloudflare's documented global API limit. */
export const CLOUDFLARE_API_POLICY: RatePolicy = { limit: 1200, windowMs: 5 * 60_000 };

/** Share of the limit the bucket may hold (its burst). */
const BURST_SHARE = 0.1;
/** Share of the limit the bucket refills per window. */
const RATE_SHARE = 0.8;
/** Grace added to waits computed from whole-second header values. */
const GRACE_MS = 250;

export interface PacerStats {
  /** Requests let through by acquire(). */
  granted: number;
  /** Total time callers spent waiting in acquire(), ms. */
  waitedMs: number;
  /** 429 answers observed (each one a failure of pacing, or another client's doing). */
  rateLimited: number;
  /** The policy the pacer currently follows. */
  policy: RatePolicy;
}

export interface PacerOptions {
  policy?: RatePolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Parses `"default";q=1200;w=300` (also the older `1200;w=300`) into a policy. */
export function parseRatePolicyHeader(value: string | null): RatePolicy | undefined {
  if (!value) return undefined;
  const q = /(?:^|[;,\s])q=(\d+)/.exec(value)?.[1] ?? /^\s*(\d+)\s*;/.exec(value)?.[1];
  const w = /(?:^|[;,\s])w=(\d+)/.exec(value)?.[1];
  if (!q || !w) return undefined;
  const limit = Number(q);
  const windowMs = Number(w) * 1000;
  return limit > 0 && windowMs > 0 ? { limit, windowMs } : undefined;
}

/** Parses `"default";r=17;t=42` into remaining requests and seconds until the window frees some. */
export function parseRateLimitHeader(value: string | null): { remaining: number; resetSeconds: number } | undefined {
  if (!value) return undefined;
  const r = /(?:^|[;,\s])r=(\d+)/.exec(value)?.[1];
  const t = /(?:^|[;,\s])t=(\d+)/.exec(value)?.[1];
  if (r === undefined || t === undefined) return undefined;
  return { remaining: Number(r), resetSeconds: Number(t) };
}

export class ApiPacer {
  private policy: RatePolicy;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly counters = { granted: 0, waitedMs: 0, rateLimited: 0 };

  constructor(opts: PacerOptions = {}) {
    this.policy = opts.policy ?? CLOUDFLARE_API_POLICY;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.tokens = this.capacity();
    this.refilledAt = this.now();
  }

  get stats(): PacerStats {
    return { ...this.counters, policy: { ...this.policy } };
  }

  private capacity(): number {
    return Math.max(1, Math.floor(this.policy.limit * BURST_SHARE));
  }

  private refillPerMs(): number {
    return (this.policy.limit * RATE_SHARE) / this.policy.windowMs;
  }

  /** How few remaining requests make the pacer wait for the window: a little room for concurrent callers. */
  private reserve(): number {
    return Math.max(2, Math.ceil(this.policy.limit * 0.05));
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity(), this.tokens + (now - this.refilledAt) * this.refillPerMs());
    this.refilledAt = now;
  }

  /**
   * Waits until one request may be sent. Callers are served in order, so a long reconcile and a
   * person's enrollment share the budget fairly.
   */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.takeToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeToken(): Promise<void> {
    const started = this.now();
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        this.counters.granted++;
        this.counters.waitedMs += this.now() - started;
        return;
      }
      await this.sleep(Math.ceil((1 - this.tokens) / this.refillPerMs()));
    }
  }

  /** Every caller waits at least until `ms` from now. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
  }

  /** Learns from one API response: its rate-limit headers and whether it was a 429. */
  observe(status: number, headers: Headers): void {
    const policy = parseRatePolicyHeader(headers.get('ratelimit-policy'));
    if (policy && (policy.limit !== this.policy.limit || policy.windowMs !== this.policy.windowMs)) {
      this.refill();
      this.policy = policy;
      this.tokens = Math.min(this.tokens, this.capacity());
    }
    if (status === 429) {
      this.counters.rateLimited++;
      const retryAfter = Number(headers.get('retry-after'));
      this.pauseFor((Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : this.policy.windowMs) + GRACE_MS);
      return;
    }
    const state = parseRateLimitHeader(headers.get('ratelimit'));
    if (state && state.remaining <= this.reserve()) this.pauseFor(state.resetSeconds * 1000 + GRACE_MS);
  }
}

/** A fetch that reports every response to `pacer` (waiting happens in acquire(), outside the SDK's timeout). */
export function observingFetch(pacer: ApiPacer, base: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    pacer.observe(response.status, response.headers);
    return response;
  };
}

const holder = globalThis as unknown as { certfleetApiPacer?: ApiPacer };

/** The pacer shared by every paced call in this process. */
export function sharedPacer(): ApiPacer {
  holder.certfleetApiPacer ??= new ApiPacer();
  return holder.certfleetApiPacer;
}

/** Seconds a run of `requests` sequential paced calls takes at `policy`, from a full bucket. */
export function estimatePacedSeconds(requests: number, policy: RatePolicy = CLOUDFLARE_API_POLICY): number {
  const burst = Math.max(1, Math.floor(policy.limit * BURST_SHARE));
  const perSecond = (policy.limit * RATE_SHARE) / (policy.windowMs / 1000);
  return Math.max(0, requests - burst) / perSecond;
}

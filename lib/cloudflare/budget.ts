/**
 * One rate budget per Cloudflare API token, shared by every process that uses the token: app replicas,
 * the jobs process (npm run worker) and scripts. It lives in the database (table CloudflareRateBudget,
 * one row per token, keyed by a SHA-256 of token + base URL, never the token itself), so it also
 * survives restarts.
 *
 * Why: Cloudflare allows 1,200 API requests per 5 minutes per token and answers the request over the
 * limit with 429 and a 5-minute lock-out of every call. During a lock-out nobody can issue or revoke.
 *
 * How: a token bucket updated by one atomic SQL UPDATE (the row lock serialises concurrent callers;
 * time is the database's clock, so replicas on other machines agree). With capacity C and refill rate
 * r, any interval of length T sees at most C + r·T grants. C and r are chosen so that an interval of
 * the window plus a pad (for the time between a grant and the request reaching Cloudflare) holds at
 * most 99 % of the limit: Cloudflare never sees more than its limit in any window.
 *
 * Priorities: interactive (a person's revoke, enrollment, doctor) may take the bucket's last token;
 * bulk keeps a quarter of the bucket free and background (reconcile, canary, renewal, settling) half
 * of it. Under a reconcile or bulk backlog the bucket hovers at the reserve, so a person's call finds
 * a token at once and never queues behind the backlog.
 *
 * A 429 from Cloudflare (another tool on the same token, a wrong policy) records the lock-out in the
 * row: every process then waits until it ends; interactive callers get RATE_LIMITED with the time to
 * wait instead of hanging.
 *
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { db } from '@/lib/db/client';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { REAL_API_BASE_URL, type CloudflareConfig } from './config';
import { CloudflareError } from './errors';

export type CloudflarePriority = 'interactive' | 'bulk' | 'background';
export const PRIORITIES: readonly CloudflarePriority[] = ['interactive', 'bulk', 'background'];

export interface RatePolicy {
  /** Requests per window. */
  limit: number;
  windowMs: number;
}

/** Cloudflare's documented global API limit. */
export const CLOUDFLARE_API_POLICY: RatePolicy = { limit: 1200, windowMs: 5 * 60_000 };

/** The bucket derived from a policy (exported for the tests, the docs and the estimate). */
export interface BudgetShape {
  capacity: number;
  /** Tokens per second. */
  ratePerSecond: number;
  /** Tokens that must remain after a grant, per priority. */
  reserve: Record<CloudflarePriority, number>;
  /** Slack between a grant and the request's arrival at Cloudflare that the shape tolerates. */
  padMs: number;
}

export function budgetShape(policy: RatePolicy): BudgetShape {
  // 12 tokens at Cloudflare's 1,200 (1 %): every token of capacity is a request the refill must leave out of each
  // window, so a small bucket is what lets a long run (reconcile, a renewal wave) go at 97 % of the limit's own
  // rate. But a person's action makes a few calls at once and must find them above the backlogs' reserves, so a
  // lower limit keeps 3 % of itself up to those 12 (at least 2), and a higher one 1 %; never so much that refilling
  // gets less than half of the limit (tiny test limits).
  const capacity = Math.max(
    1,
    Math.min(Math.max(2, Math.min(12, Math.round(policy.limit * 0.03)), Math.round(policy.limit * 0.01)), Math.floor((policy.limit * 0.99) / 2)),
  );
  // The time a granted request may take to reach Cloudflare: 1 % of the window, at least a second (a busy
  // machine), at most five (3 s at Cloudflare's 5 minutes).
  const padMs = Math.min(5_000, Math.max(1_000, policy.windowMs * 0.01));
  const usable = policy.limit * 0.99 - capacity;
  return {
    capacity,
    ratePerSecond: usable / ((policy.windowMs + padMs) / 1000),
    reserve: { interactive: 0, bulk: Math.floor(capacity / 4), background: capacity >= 2 ? Math.max(1, Math.floor(capacity / 2)) : 0 },
    padMs,
  };
}

/**
 * CLOUDFLARE_API_RATE_LIMIT="<requests>/<seconds>" (default 1200/300, Cloudflare's). Only lower it
 * (a token shared with another tool) or match a test emulator's limit; never raise it above Cloudflare's.
 */
export function readRatePolicy(env: Record<string, string | undefined> = process.env): RatePolicy {
  const raw = env.CLOUDFLARE_API_RATE_LIMIT?.trim();
  if (!raw) return CLOUDFLARE_API_POLICY;
  const m = /^(\d+)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(raw);
  if (!m || Number(m[1]) < 2 || Number(m[2]) <= 0) {
    throw new CloudflareError('NOT_CONFIGURED', `CLOUDFLARE_API_RATE_LIMIT must look like "1200/300" (requests per seconds); it is "${raw}".`);
  }
  return { limit: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

/** Seconds `requests` sequential calls of `priority` take from a full bucket (the UI's estimates). */
export function estimatePacedSeconds(requests: number, policy: RatePolicy = CLOUDFLARE_API_POLICY, priority: CloudflarePriority = 'background'): number {
  const shape = budgetShape(policy);
  return Math.max(0, requests - (shape.capacity - shape.reserve[priority])) / shape.ratePerSecond;
}

export interface BudgetStats {
  /** Requests this process was allowed to send. */
  granted: number;
  /** Time this process's callers spent waiting for the budget, ms. */
  waitedMs: number;
  /** 429 answers this process saw from Cloudflare (each one recorded as a lock-out for everyone). */
  rateLimited: number;
  policy: RatePolicy;
  /** Per priority; `denied`: times a caller of that priority asked and found too few tokens (then waited). */
  byPriority: Record<CloudflarePriority, { granted: number; waitedMs: number; denied: number }>;
}

export interface RateBudget {
  readonly policy: RatePolicy;
  readonly stats: BudgetStats;
  /**
   * Waits until one request of `priority` may be sent.
   * @throws CloudflareError RATE_LIMITED when a lock-out lasts longer than `maxWaitMs` (interactive default 15 s)
   */
  acquire(priority: CloudflarePriority, opts?: { maxWaitMs?: number }): Promise<void>;
  /** Cloudflare answered 429: every process holds back for `retryAfterSeconds` (default: the window). */
  recordLockout(retryAfterSeconds?: number): Promise<void>;
  /** Forgets the token's bucket and lock-out (a test between cases; an operator who knows better). */
  reset(): Promise<void>;
  /**
   * The API announced its policy (`ratelimit-policy: "default";q=1200;w=300`): follow it, unless
   * CLOUDFLARE_API_RATE_LIMIT set a stricter one (a token shared with another tool).
   */
  observePolicy(announced: RatePolicy | undefined): void;
}

/** Parses `"default";q=1200;w=300` (draft-ietf-httpapi-ratelimit-headers, sent by Cloudflare's API and the emulator). */
export function parseRatePolicyHeader(value: string | null): RatePolicy | undefined {
  if (!value) return undefined;
  const q = /(?:^|[;,\s])q=(\d+)/.exec(value)?.[1];
  const w = /(?:^|[;,\s])w=(\d+)/.exec(value)?.[1];
  if (!q || !w || Number(q) < 2 || Number(w) <= 0) return undefined;
  return { limit: Number(q), windowMs: Number(w) * 1000 };
}

/** How long each priority waits out a lock-out before failing with RATE_LIMITED. */
const DEFAULT_MAX_WAIT_MS: Record<CloudflarePriority, number> = { interactive: 15_000, bulk: Infinity, background: Infinity };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Never the token: a one-way hash of token and base URL names the row. */
export function budgetKey(config: Pick<CloudflareConfig, 'apiToken' | 'baseUrl'>): string {
  return createHash('sha256')
    .update(`${config.apiToken}\n${config.baseUrl ?? REAL_API_BASE_URL}`)
    .digest('hex');
}

// The database's clock, as a timestamp in UTC like Prisma's DateTime columns.
const TS = `(statement_timestamp() AT TIME ZONE 'UTC')::timestamp(3)`;
const REFILLED = `LEAST($2::float8, "tokens" + GREATEST(0, EXTRACT(EPOCH FROM (${TS} - "refilledAt"))::float8) * $3::float8)`;
const OK = `(("lockedUntil" IS NULL OR "lockedUntil" <= ${TS}) AND ${REFILLED} >= $4::float8)`;
// SET expressions all read the row as it was before this statement; the row lock makes concurrent
// statements (other replicas, the worker) take turns, each seeing the previous one's result.
const ACQUIRE_SQL = `
  UPDATE "CloudflareRateBudget" SET
    "tokens" = ${REFILLED} - CASE WHEN ${OK} THEN 1 ELSE 0 END,
    "refilledAt" = GREATEST("refilledAt", ${TS}),
    "lastGranted" = ${OK},
    "granted" = "granted" + CASE WHEN ${OK} THEN 1 ELSE 0 END
  WHERE "key" = $1
  RETURNING "lastGranted" AS ok, "tokens" AS tokens,
    GREATEST(0, COALESCE(EXTRACT(EPOCH FROM ("lockedUntil" - ${TS}))::float8, 0)) AS "lockedFor"`;
const CREATE_SQL = `
  INSERT INTO "CloudflareRateBudget" ("key", "tokens", "refilledAt")
  VALUES ($1, $2::float8, ${TS}) ON CONFLICT ("key") DO NOTHING`;
const LOCKOUT_SQL = `
  UPDATE "CloudflareRateBudget" SET
    "lockedUntil" = GREATEST(COALESCE("lockedUntil", ${TS}), ${TS} + make_interval(secs => $2::float8)),
    "refilledAt" = GREATEST("refilledAt", COALESCE("lockedUntil", ${TS}), ${TS} + make_interval(secs => $2::float8)),
    "tokens" = 0,
    "lockouts" = "lockouts" + 1
  WHERE "key" = $1`;

export interface DatabaseBudgetOptions {
  policy?: RatePolicy;
  /** The policy is a cap (CLOUDFLARE_API_RATE_LIMIT, a test's): announced policies may only be stricter. */
  strict?: boolean;
  /** Default: the process's Prisma client (lib/db/client). */
  prisma?: () => PrismaClient;
}

class DatabaseRateBudget implements RateBudget {
  policy: RatePolicy;
  private shape: BudgetShape;
  /** CLOUDFLARE_API_RATE_LIMIT (or a test's policy): an announced policy may only be stricter. */
  private readonly cap?: RatePolicy;
  private readonly configured: RatePolicy;
  private readonly counters: BudgetStats;
  private created = false;
  /** One acquire per priority in flight per process: waiters queue here, not as a crowd of polls. */
  private readonly lanes: Record<CloudflarePriority, Promise<unknown>> = { interactive: Promise.resolve(), bulk: Promise.resolve(), background: Promise.resolve() };

  constructor(
    private readonly key: string,
    opts: DatabaseBudgetOptions,
    private readonly prisma: () => PrismaClient = opts.prisma ?? db,
  ) {
    this.policy = opts.policy ?? CLOUDFLARE_API_POLICY;
    this.configured = this.policy;
    this.cap = opts.strict ? this.policy : undefined;
    this.shape = budgetShape(this.policy);
    const zero = () => ({ granted: 0, waitedMs: 0, denied: 0 });
    this.counters = { granted: 0, waitedMs: 0, rateLimited: 0, policy: this.policy, byPriority: { interactive: zero(), bulk: zero(), background: zero() } };
  }

  get stats(): BudgetStats {
    const c = this.counters;
    return { ...c, policy: { ...c.policy }, byPriority: { interactive: { ...c.byPriority.interactive }, bulk: { ...c.byPriority.bulk }, background: { ...c.byPriority.background } } };
  }

  acquire(priority: CloudflarePriority, opts: { maxWaitMs?: number } = {}): Promise<void> {
    const turn = this.lanes[priority].then(() => this.take(priority, opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS[priority]));
    this.lanes[priority] = turn.catch(() => undefined);
    return turn;
  }

  private async take(priority: CloudflarePriority, maxWaitMs: number): Promise<void> {
    const started = Date.now();
    const need = 1 + this.shape.reserve[priority];
    for (;;) {
      const rows = await this.prisma().$queryRawUnsafe<{ ok: boolean; tokens: number; lockedFor: number }[]>(
        ACQUIRE_SQL,
        this.key,
        this.shape.capacity,
        this.shape.ratePerSecond,
        need,
      );
      const row = rows[0];
      if (!row) {
        await this.prisma().$executeRawUnsafe(CREATE_SQL, this.key, this.shape.capacity);
        this.created = true;
        continue;
      }
      if (row.ok) {
        const waited = Date.now() - started;
        this.counters.granted++;
        this.counters.waitedMs += waited;
        this.counters.byPriority[priority].granted++;
        this.counters.byPriority[priority].waitedMs += waited;
        return;
      }
      this.counters.byPriority[priority].denied++;
      const lockedMs = Number(row.lockedFor) * 1000;
      if (lockedMs > 0 && Date.now() - started + lockedMs > maxWaitMs) {
        const retryAfter = Math.max(1, Math.ceil(lockedMs / 1000));
        throw new CloudflareError(
          'RATE_LIMITED',
          `Cloudflare's API rate limit was reached (1,200 requests per 5 minutes; it then blocks for 5 minutes), so certfleet is holding every call back. Try again in ${retryAfter} s.`,
          { retryAfter, status: 429 },
        );
      }
      const shortMs = ((need - Number(row.tokens)) / this.shape.ratePerSecond) * 1000;
      // After a lock-out, a little jitter so that processes woken together do not all collide on the row.
      await sleep(lockedMs > 0 ? lockedMs + Math.random() * 250 : Math.max(1, shortMs));
    }
  }

  async recordLockout(retryAfterSeconds?: number): Promise<void> {
    this.counters.rateLimited++;
    const seconds = retryAfterSeconds && retryAfterSeconds > 0 ? retryAfterSeconds : this.policy.windowMs / 1000;
    if (!this.created) await this.prisma().$executeRawUnsafe(CREATE_SQL, this.key, 0);
    await this.prisma().$executeRawUnsafe(LOCKOUT_SQL, this.key, seconds + 1);
  }

  observePolicy(announced: RatePolicy | undefined): void {
    // An answer without the header: back to the configured policy (an API that stopped announcing one).
    if (!announced) announced = this.configured;
    if (announced.limit === this.policy.limit && announced.windowMs === this.policy.windowMs) return;
    if (this.cap && !(announced.limit <= this.cap.limit && budgetShape(announced).ratePerSecond <= budgetShape(this.cap).ratePerSecond)) return;
    this.policy = announced;
    this.shape = budgetShape(announced);
    this.counters.policy = announced;
  }

  async reset(): Promise<void> {
    await this.prisma().$executeRawUnsafe(`DELETE FROM "CloudflareRateBudget" WHERE "key" = $1`, this.key);
    this.created = false;
  }
}

const holder = globalThis as unknown as { certfleetRateBudgets?: Map<string, RateBudget> };

/**
 * The budget of `config`'s token in this process (one object per token, so its queues and counters
 * are shared by every client of the process; the tokens themselves are shared through the database).
 */
export function rateBudgetFor(config: CloudflareConfig, opts: DatabaseBudgetOptions = {}): RateBudget {
  const strict = opts.policy !== undefined || Boolean(process.env.CLOUDFLARE_API_RATE_LIMIT?.trim());
  const policy = opts.policy ?? readRatePolicy();
  const key = budgetKey(config);
  const cacheKey = `${key}:${policy.limit}/${policy.windowMs}:${strict}`;
  if (opts.prisma) return new DatabaseRateBudget(key, { ...opts, policy, strict });
  holder.certfleetRateBudgets ??= new Map();
  let budget = holder.certfleetRateBudgets.get(cacheKey);
  if (!budget) {
    budget = new DatabaseRateBudget(key, { policy, strict });
    holder.certfleetRateBudgets.set(cacheKey, budget);
  }
  return budget;
}

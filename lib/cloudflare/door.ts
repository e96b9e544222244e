/**
 * The door itself: the official SDK client, built here and nowhere else, whose every HTTP request
 * (first attempts, the SDK's retries, each page of a list) first draws from the shared rate budget
 * (budget.ts). It holds the API token: server only.
 *
 * Retries: the SDK retries 408/5xx and dropped connections with backoff; each retry is a request and
 * draws from the budget like any other. 409 is not retried (Cloudflare's conflicts do not go away,
 * e.g. a custom CSR in use). A 429 is recorded as a lock-out for every process; a retry then waits in
 * the budget until it ends: jobs always, a person only when it ends within 15 s (else "try again in N s").
 * The per-attempt timeout starts when the budget lets the request go, so waiting for the budget never
 * times a call out.
 */
import 'server-only';
import Cloudflare from 'cloudflare';
import { decimalSerialToHex, normalizeSerial } from '@/lib/pki';
import { parseRatePolicyHeader, rateBudgetFor, type CloudflarePriority, type RateBudget } from './budget';
import { REAL_API_BASE_URL, type CloudflareConfig } from './config';
import { BudgetUnavailableError, HELD_BACK_HEADER, toCloudflareError, type CloudflareResource } from './error-mapping';
import { isCloudflareError, type CloudflareError } from './errors';

export interface DoorOptions {
  /** Whose call this is (default interactive: a person is waiting). */
  priority?: CloudflarePriority;
  /** Default: the token's shared budget (database). */
  budget?: RateBudget;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Per attempt, ms, counted from when the budget lets the request go (default 30 s). */
  timeoutMs?: number;
  /** Test seam: the fetch underneath (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** What each resource module needs: the SDK client, the zone and the error mapping. */
export interface Door {
  readonly sdk: Cloudflare;
  readonly zoneId: string;
  readonly baseUrl: string;
  readonly budget: RateBudget;
  readonly priority: CloudflarePriority;
  /** Maps whatever the SDK threw to a CloudflareError. */
  fail(e: unknown, operation: string, resource: CloudflareResource, id?: string): CloudflareError;
  /** Runs one SDK call, mapping its failure. */
  call<T>(operation: string, resource: CloudflareResource, id: string | undefined, fn: () => Promise<T>): Promise<T>;
}

function withHeaders(res: Response, set: Record<string, string>): Response {
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(set)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** The fetch under the SDK: budget first, then the request with its own timeout. */
function budgetedFetch(base: typeof fetch, budget: RateBudget, priority: CloudflarePriority, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    try {
      await budget.acquire(priority);
    } catch (e) {
      if (isCloudflareError(e) && e.code === 'RATE_LIMITED') {
        // Nothing is sent during a recorded lock-out: answer as Cloudflare would, marked as ours.
        const body = JSON.stringify({ success: false, errors: [{ code: 10000, message: e.message }], messages: [], result: null });
        return new Response(body, {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': String(e.retryAfter ?? 60), 'x-should-retry': 'false', [HELD_BACK_HEADER]: '1' },
        });
      }
      throw new BudgetUnavailableError(e);
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    const announced = parseRatePolicyHeader(res.headers.get('ratelimit-policy'));
    if (announced || res.ok) budget.observePolicy(announced);
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      const seconds = Number.isFinite(ra) && ra > 0 ? ra : undefined;
      await budget.recordLockout(seconds).catch(() => undefined);
      // A retry waits in acquire() until the lock-out ends: fine for jobs, and for a person when short.
      const worthWaiting = priority !== 'interactive' || (seconds !== undefined && seconds <= 15);
      return worthWaiting ? res : withHeaders(res, { 'x-should-retry': 'false' });
    }
    if (res.status === 409) return withHeaders(res, { 'x-should-retry': 'false' });
    return res;
  };
}

/** Opens the door for `config` (one SDK client; cheap, but callers cache it: see index.ts). */
export function openDoor(config: CloudflareConfig, options: DoorOptions = {}): Door {
  const baseUrl = config.baseUrl ?? REAL_API_BASE_URL;
  const priority = options.priority ?? 'interactive';
  const budget = options.budget ?? rateBudgetFor(config);
  const sdk = new Cloudflare({
    apiToken: config.apiToken,
    // Explicit nulls: otherwise the SDK also reads CLOUDFLARE_API_KEY/CLOUDFLARE_EMAIL from the
    // environment and would send a second, unexpected credential.
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: baseUrl,
    maxRetries: options.maxRetries ?? 3,
    // The SDK's own timer would also run while the budget makes a request wait: ours starts after it.
    timeout: 24 * 60 * 60_000,
    fetch: budgetedFetch(options.fetch ?? globalThis.fetch.bind(globalThis), budget, priority, options.timeoutMs ?? 30_000),
  });
  const target = { apiToken: config.apiToken, baseUrl, zoneId: config.zoneId };
  const fail = (e: unknown, operation: string, resource: CloudflareResource, id?: string) => toCloudflareError(target, e, operation, resource, id);
  return {
    sdk,
    zoneId: config.zoneId,
    baseUrl,
    budget,
    priority,
    fail,
    async call(operation, resource, id, fn) {
      try {
        return await fn();
      } catch (e) {
        throw fail(e, operation, resource, id);
      }
    },
  };
}

export function toIssueDate(s: string | undefined | null): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Cloudflare has printed serials as decimal (seed 001; custom hostnames) and as 40-digit hex
 * (current client-certificate docs). All-digit strings of another length are decimal.
 */
export function serialFromApi(s: string | undefined | null): string | null {
  if (!s) return null;
  try {
    return /^[0-9]+$/.test(s) && s.length !== 40 ? decimalSerialToHex(s) : normalizeSerial(s);
  } catch {
    return null;
  }
}

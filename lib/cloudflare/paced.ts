/**
 * The client-certificate verbs issuance, bulk enrollment, renewal and reconcile use, at the priority
 * of the caller: a person's enrollment is interactive, a bulk job bulk, reconcile and renewal
 * background. Same door, same shared budget as every other Cloudflare call.
 */
import 'server-only';
import { rateBudgetFor, type CloudflarePriority, type RateBudget } from './budget';
import type { CertificatePage, ClientCertificate } from './client-certificates';
import { clientCertificates } from './client-certificates';
import { readCloudflareConfig, type CloudflareConfig } from './config';
import { openDoor } from './door';
import { isCloudflareError } from './errors';

export interface PacedCloudflareOptions {
  /** Default: CLOUDFLARE_API_TOKEN / CLOUDFLARE_ZONE_ID / CLOUDFLARE_BASE_URL. */
  config?: CloudflareConfig;
  /** Default interactive. */
  priority?: CloudflarePriority;
  /** Default: the token's shared budget. */
  budget?: RateBudget;
  /** Per attempt, ms (default 30 s). */
  timeoutMs?: number;
  /** Test seam: the fetch underneath (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface PacedCloudflare {
  readonly budget: RateBudget;
  readonly priority: CloudflarePriority;
  readonly zoneId: string;
  /**
   * POST client_certificates, once: no retry after a timeout or a dropped connection, because that
   * POST may have been signed — the caller checks the zone for its CSR before asking again. Only a
   * 429 (refused before anything was made) is asked again, after the lock-out.
   */
  issue(input: { csr: string; validityDays: number }): Promise<ClientCertificate>;
  get(id: string): Promise<ClientCertificate>;
  revoke(id: string): Promise<ClientCertificate>;
  listPage(page: number, opts?: { perPage?: number }): Promise<CertificatePage>;
}

const cache = new Map<string, PacedCloudflare>();

export function pacedCloudflare(opts: PacedCloudflareOptions = {}): PacedCloudflare {
  const config = opts.config ?? readCloudflareConfig();
  const priority = opts.priority ?? 'interactive';
  const cacheable = !opts.budget && !opts.fetch && opts.timeoutMs === undefined;
  const key = JSON.stringify([config.apiToken, config.zoneId, config.baseUrl ?? '', priority]);
  if (cacheable) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  const budget = opts.budget ?? rateBudgetFor(config);
  const common = { priority, budget, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
  const issuing = clientCertificates(openDoor(config, { ...common, maxRetries: 0 }));
  const reading = clientCertificates(openDoor(config, { ...common, maxRetries: 2 }));
  const client: PacedCloudflare = {
    budget,
    priority,
    zoneId: config.zoneId,
    async issue(input) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await issuing.issueClientCertificate(input);
        } catch (e) {
          const heldOrRefused = isCloudflareError(e) && e.code === 'RATE_LIMITED';
          if (!heldOrRefused || attempt >= 3 || (priority === 'interactive' && (e.retryAfter ?? Infinity) > 15)) throw e;
        }
      }
    },
    get: (id) => reading.getClientCertificate(id),
    revoke: (id) => reading.revokeClientCertificate(id),
    listPage: (page, o) => reading.listClientCertificatesPage(page, o),
  };
  if (cacheable) cache.set(key, client);
  return client;
}

/** The part of a ClientCertificate that `recordIssuedCertificate` stores. */
export function toRecordable(c: ClientCertificate) {
  return { id: c.id, certificatePem: c.certificatePem, csrPem: c.csrPem, status: c.status, validityDays: c.validityDays };
}

/**
 * The Cloudflare calls of issuance, bulk enrollment, renewal and reconcile, paced by one shared
 * token bucket (issuance-pacer.ts). Issuing and single reads go through lib/cloudflare's gateway;
 * listing one page at a time (reconcile resumes at a page, the crash heal reads the newest pages
 * first) is not offered there, so it is done here with the official SDK, the same way.
 *
 * Server only: it reads the API token (through lib/cloudflare's config).
 */
import Cloudflare, { APIConnectionError, APIError } from 'cloudflare';
import {
  CloudflareError,
  createCloudflareGateway,
  isCloudflareError,
  isLoopbackUrl,
  readCloudflareConfig,
  REAL_API_BASE_URL,
  type ClientCertificate,
  type ClientCertificateStatus,
  type CloudflareConfig,
  type CloudflareGateway,
} from '@/lib/cloudflare';
import type { CloudflareClientCertificate } from '@/lib/certificates/record';
import { normalizePemText } from '@/lib/pki/pem';
import { type ApiPacer, observingFetch, sharedPacer } from './issuance-pacer';

/** Cloudflare's largest page for client certificates. */
export const CLOUDFLARE_PAGE_SIZE = 50;

/** A client certificate as listed, in the shape `recordIssuedCertificate` stores. */
export interface ListedCertificate extends CloudflareClientCertificate {
  issuedOn: Date | null;
}

export interface CertificatePage {
  items: ListedCertificate[];
  page: number;
  perPage: number;
  /** From Cloudflare's result_info when it sends it. */
  totalPages?: number;
  totalCount?: number;
}

export interface PacedCloudflareOptions {
  /** Default: CLOUDFLARE_API_TOKEN / CLOUDFLARE_ZONE_ID / CLOUDFLARE_BASE_URL. */
  config?: CloudflareConfig;
  pacer?: ApiPacer;
  /** Per attempt, ms (default 30 s). */
  timeoutMs?: number;
  /** Test seam: the fetch underneath (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface PacedCloudflare {
  readonly pacer: ApiPacer;
  readonly zoneId: string;
  /**
   * POST client_certificates, exactly once: no retry of its own, because a POST that timed out may
   * have been signed — the caller checks the zone for its CSR before asking again.
   */
  issue(input: { csr: string; validityDays: number }): Promise<ClientCertificate>;
  get(id: string): Promise<ClientCertificate>;
  revoke(id: string): Promise<ClientCertificate>;
  listPage(page: number, opts?: { perPage?: number }): Promise<CertificatePage>;
}

/**
 * Waits for the pacer before each call. A 429 has already paused the pacer for its retry-after
 * (issuance-pacer observes every response); when that wait is at most `maxWaitSeconds` the call is
 * tried again, otherwise the RATE_LIMITED error goes to the caller, which says when to come back.
 */
export async function paced<T>(pacer: ApiPacer, fn: () => Promise<T>, opts: { maxWaitSeconds?: number; attempts?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    await pacer.acquire();
    try {
      return await fn();
    } catch (error) {
      const waitable =
        isCloudflareError(error) &&
        error.code === 'RATE_LIMITED' &&
        attempt < attempts &&
        (error.retryAfter ?? Infinity) <= (opts.maxWaitSeconds ?? 15);
      if (!waitable) throw error;
    }
  }
}

function toListed(c: Cloudflare.ClientCertificates.ClientCertificate): ListedCertificate {
  const issued = c.issued_on ? new Date(c.issued_on) : null;
  return {
    id: c.id ?? '',
    certificatePem: c.certificate ? `${normalizePemText(c.certificate)}\n` : '',
    csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
    status: (c.status ?? 'active') as ClientCertificateStatus,
    validityDays: c.validity_days ?? 0,
    issuedOn: issued && !Number.isNaN(issued.getTime()) ? issued : null,
  };
}

/** The part of the gateway's ClientCertificate that `recordIssuedCertificate` stores. */
export function toRecordable(c: ClientCertificate): CloudflareClientCertificate {
  return { id: c.id, certificatePem: c.certificatePem, csrPem: c.csrPem, status: c.status, validityDays: c.validityDays };
}

function listError(e: unknown, config: CloudflareConfig, baseUrl: string): CloudflareError {
  const scrub = (s: string) => (config.apiToken.length >= 4 ? s.split(config.apiToken).join('[redacted]') : s);
  const operation = 'listClientCertificates';
  if (e instanceof APIConnectionError) {
    return new CloudflareError(
      'UNREACHABLE',
      scrub(
        `Cloudflare (${baseUrl}) could not be reached: ${e.message}.${isLoopbackUrl(baseUrl) ? ' Is the local emulator running (npm start or npm run emulator)?' : ' Check the network and try again.'}`,
      ),
      { operation },
    );
  }
  if (e instanceof APIError) {
    const status = e.status as number;
    const items = ((e.errors ?? []) as { code?: unknown; message?: unknown }[])
      .filter((x): x is { code: number; message: string } => typeof x?.code === 'number' && typeof x?.message === 'string')
      .map((x) => ({ code: x.code, message: scrub(x.message) }));
    const said = items.map((x) => x.message).join(' ');
    const base = { status, cloudflareErrors: items, operation };
    if (status === 429) {
      const ra = Number(e.headers?.get('retry-after'));
      const retryAfter = Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : undefined;
      return new CloudflareError(
        'RATE_LIMITED',
        `Cloudflare's API rate limit was reached (1,200 requests per 5 minutes; it then blocks for 5 minutes). Try again${retryAfter ? ` in ${retryAfter} s` : ' later'}.`,
        { ...base, retryAfter },
      );
    }
    if (status === 401 || status === 403) {
      return new CloudflareError('AUTH', `Cloudflare refused to list the zone's client certificates: check CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID.${said ? ` (Cloudflare: ${said})` : ''}`, base);
    }
    if (status >= 500) {
      return new CloudflareError('UPSTREAM', `Cloudflare answered with a server error (${status}) after retrying. Try again in a moment.${said ? ` (Cloudflare: ${said})` : ''}`, base);
    }
    return new CloudflareError('INVALID_REQUEST', `Cloudflare refused to list client certificates (${status}): ${said || scrub(e.message)}`, base);
  }
  return new CloudflareError('UPSTREAM', `Unexpected failure listing client certificates: ${e instanceof Error ? scrub(e.message) : String(e)}`, { operation });
}

const cache = new Map<string, PacedCloudflare>();

/**
 * The paced Cloudflare client for `config` (default: the environment's). Cached per configuration,
 * so every caller in the process shares one pacer.
 */
export function pacedCloudflare(opts: PacedCloudflareOptions = {}): PacedCloudflare {
  const config = opts.config ?? readCloudflareConfig();
  const pacer = opts.pacer ?? sharedPacer();
  const cacheable = !opts.pacer && !opts.fetch && opts.timeoutMs === undefined;
  const key = JSON.stringify([config.apiToken, config.zoneId, config.baseUrl ?? '']);
  if (cacheable) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  const fetchImpl = observingFetch(pacer, opts.fetch);
  // maxRetryAfterSeconds 0: the SDK never sits out a 429 itself; paced() waits in the pacer instead.
  const common = { fetch: fetchImpl, maxRetryAfterSeconds: 0, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
  const issuing: CloudflareGateway = createCloudflareGateway(config, { ...common, maxRetries: 0 });
  const reading: CloudflareGateway = createCloudflareGateway(config, { ...common, maxRetries: 2 });
  const baseUrl = config.baseUrl ?? REAL_API_BASE_URL;
  const sdk = new Cloudflare({
    apiToken: config.apiToken,
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: baseUrl,
    maxRetries: 2,
    timeout: opts.timeoutMs ?? 30_000,
    fetch: async (input, init) => {
      const res = await fetchImpl(input, init);
      if (res.status !== 429) return res;
      // As in lib/cloudflare: a 429 is sat out in the pacer, not retried blindly by the SDK.
      const headers = new Headers(res.headers);
      headers.set('x-should-retry', 'false');
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    },
  });

  const client: PacedCloudflare = {
    pacer,
    zoneId: config.zoneId,
    issue: (input) => paced(pacer, () => issuing.issueClientCertificate(input)),
    get: (id) => paced(pacer, () => reading.getClientCertificate(id)),
    revoke: (id) => paced(pacer, () => reading.revokeClientCertificate(id)),
    listPage: (page, o = {}) =>
      paced(pacer, async () => {
        const perPage = o.perPage ?? CLOUDFLARE_PAGE_SIZE;
        let result;
        try {
          result = await sdk.clientCertificates.list({ zone_id: config.zoneId, status: 'all', page, per_page: perPage });
        } catch (e) {
          throw listError(e, config, baseUrl);
        }
        const info = (result.result_info ?? {}) as { total_pages?: number; total_count?: number };
        return {
          items: result.result.map(toListed),
          page,
          perPage,
          ...(typeof info.total_pages === 'number' ? { totalPages: info.total_pages } : {}),
          ...(typeof info.total_count === 'number' ? { totalCount: info.total_count } : {}),
        };
      }),
  };
  if (cacheable) cache.set(key, client);
  return client;
}

/**
 * certfleet's only door to Cloudflare: domain verbs over the official `cloudflare` SDK. It holds
 * the API token, so it runs on the server only — never import it from a client component.
 * (`import 'server-only'` is left out on purpose: it throws outside Next's react-server build,
 * which would break the tsx scripts and vitest that use this module.)
 *
 * Retries: the SDK retries 408/409/429/5xx and dropped connections with backoff and honours
 * `retry-after`. Two exceptions are made in the fetch wrapper below:
 * - 409 is not retried: Cloudflare uses it for conflicts that do not go away (custom CSR in use).
 * - a 429 asking to wait longer than `maxRetryAfterSeconds` is not retried: after Cloudflare's
 *   lock-out (5 minutes) a page should say "try again in 5 minutes", not hang.
 * Faults before Cloudflare handles a request (gateway errors, dropped connections) are then
 * survived without duplicates; a POST that failed *after* Cloudflare issued a certificate could
 * still be repeated, as with any client of this API.
 */
import Cloudflare, { APIConnectionError, APIError, CloudflareError as SdkError } from 'cloudflare';
import { isPkiError, normalizeSerial, parseCertificate, parseCsr, decimalSerialToHex } from '@/lib/pki';
import { normalizePemText } from '@/lib/pki/pem';
import { isLoopbackUrl, REAL_API_BASE_URL, type CloudflareConfig } from './config';
import { CloudflareError, redact, type CloudflareApiErrorItem } from './errors';

export type ClientCertificateStatus = 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation';

export interface ClientCertificate {
  id: string;
  status: ClientCertificateStatus;
  /** PEM, \n line endings. */
  certificatePem: string;
  /** The CSR it was issued for (PEM, \n line endings; Cloudflare returns it with \r\n). */
  csrPem: string;
  /** Uppercase hex (openssl -serial), read from the certificate itself. */
  serialNumber: string;
  /** Lowercase hex. */
  ski: string;
  /** Lowercase hex. */
  fingerprintSha256: string;
  commonName: string;
  organization: string;
  organizationalUnit: string;
  country: string;
  state: string;
  locality: string;
  /** e.g. SHA256WithRSA */
  signature: string;
  issuedOn: Date;
  expiresOn: Date;
  validityDays: number;
  certificateAuthority: { id: string; name: string } | null;
}

export type CustomCsrKeyType = 'rsa2048' | 'p256v1';

export interface CustomCsrInput {
  commonName: string;
  /** Should include the common name; at least one. */
  sans: string[];
  country: string;
  state: string;
  locality: string;
  organization: string;
  organizationalUnit?: string;
  /** Default rsa2048 (Cloudflare's default). */
  keyType?: CustomCsrKeyType;
  name?: string;
  description?: string;
}

export interface CustomCsr extends Omit<CustomCsrInput, 'keyType'> {
  id: string;
  createdAt: Date;
  keyType: CustomCsrKeyType;
  /** PEM to hand to the customer's CA. */
  csrPem: string;
}

export interface CustomHostnameInput {
  hostname: string;
  /** The custom CSR whose key the certificate was issued for (seed 004). */
  customCsrId?: string;
  /** PEM of the certificate (chain) signed by a publicly trusted CA. */
  customCertificate?: string;
  /** Only without customCsrId: the certificate's private key. */
  customKey?: string;
  customMetadata?: Record<string, string>;
}

export interface CustomHostname {
  id: string;
  hostname: string;
  status: string;
  createdAt: Date | null;
  ssl: {
    id: string | null;
    status: string | null;
    customCsrId: string | null;
    hosts: string[];
    issuer: string | null;
    /** Uppercase hex. */
    serialNumber: string | null;
    signature: string | null;
    expiresOn: Date | null;
    uploadedOn: Date | null;
  };
  customMetadata?: Record<string, string>;
}

export interface GatewayOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Per attempt, ms (default 30 s). */
  timeoutMs?: number;
  /** Longest `retry-after` worth waiting for inside one call (default 10 s). */
  maxRetryAfterSeconds?: number;
  /** Test seam; defaults to globalThis.fetch. */
  fetch?: typeof fetch;
}

type Resource = 'client certificate' | 'custom CSR' | 'custom hostname' | 'hostname associations';

function toIssueDate(s: string | undefined | null): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Cloudflare has printed serials as decimal (seed 001; custom hostnames) and as 40-digit hex
 * (current client-certificate docs). All-digit strings of another length are decimal.
 */
function serialFromApi(s: string | undefined | null): string | null {
  if (!s) return null;
  try {
    return /^[0-9]+$/.test(s) && s.length !== 40 ? decimalSerialToHex(s) : normalizeSerial(s);
  } catch {
    return null;
  }
}

/**
 * A fetch that tells the SDK not to retry what retrying cannot fix (see the file comment).
 * The SDK obeys the `x-should-retry` response header.
 */
function retryPolicyFetch(base: typeof fetch, maxRetryAfterSeconds: number): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    let noRetry = res.status === 409;
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > maxRetryAfterSeconds) noRetry = true;
    }
    if (!noRetry) return res;
    const headers = new Headers(res.headers);
    headers.set('x-should-retry', 'false');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

export interface CloudflareGateway {
  readonly config: Readonly<Omit<CloudflareConfig, 'apiToken'>>;
  issueClientCertificate(input: { csr: string; validityDays: number }): Promise<ClientCertificate>;
  listClientCertificates(opts?: { status?: ClientCertificateStatus | 'all' }): Promise<ClientCertificate[]>;
  iterateClientCertificates(opts?: { status?: ClientCertificateStatus | 'all' }): AsyncGenerator<ClientCertificate>;
  getClientCertificate(id: string): Promise<ClientCertificate>;
  revokeClientCertificate(id: string): Promise<ClientCertificate>;
  reactivateClientCertificate(id: string): Promise<ClientCertificate>;
  createCustomCsr(input: CustomCsrInput): Promise<CustomCsr>;
  listCustomCsrs(): Promise<CustomCsr[]>;
  getCustomCsr(id: string): Promise<CustomCsr>;
  deleteCustomCsr(id: string): Promise<void>;
  createCustomHostname(input: CustomHostnameInput): Promise<CustomHostname>;
  listCustomHostnames(opts?: { hostname?: string }): Promise<CustomHostname[]>;
  getCustomHostname(id: string): Promise<CustomHostname>;
  deleteCustomHostname(id: string): Promise<void>;
  getHostnameAssociations(): Promise<string[]>;
  updateHostnameAssociations(hostnames: string[]): Promise<string[]>;
}

export function createCloudflareGateway(config: CloudflareConfig, options: GatewayOptions = {}): CloudflareGateway {
  const baseUrl = config.baseUrl ?? REAL_API_BASE_URL;
  const local = isLoopbackUrl(baseUrl);
  const maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 10;
  const client = new Cloudflare({
    apiToken: config.apiToken,
    // Explicit nulls: otherwise the SDK also reads CLOUDFLARE_API_KEY/CLOUDFLARE_EMAIL from the
    // environment and would send a second, unexpected credential.
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: baseUrl,
    maxRetries: options.maxRetries ?? 3,
    timeout: options.timeoutMs ?? 30_000,
    fetch: retryPolicyFetch(options.fetch ?? globalThis.fetch.bind(globalThis), maxRetryAfterSeconds),
  });
  const zone_id = config.zoneId;
  const scrub = (s: string) => redact(s, config.apiToken);

  function fail(
    code: ConstructorParameters<typeof CloudflareError>[0],
    message: string,
    extra: ConstructorParameters<typeof CloudflareError>[2] = {},
  ): CloudflareError {
    return new CloudflareError(code, scrub(message), {
      ...extra,
      cloudflareErrors: extra.cloudflareErrors?.map((e) => ({ code: e.code, message: scrub(e.message) })),
    });
  }

  /** Maps whatever the SDK threw to a CloudflareError a person can act on. */
  function mapError(e: unknown, operation: string, resource: Resource, id?: string): CloudflareError {
    if (e instanceof CloudflareError) return e;
    if (e instanceof APIConnectionError) {
      const cause = (e as { cause?: unknown }).cause;
      const why = cause instanceof Error ? `${cause.message}${(cause as { cause?: Error }).cause ? `: ${(cause as { cause?: Error }).cause?.message}` : ''}` : e.message;
      return fail(
        'UNREACHABLE',
        `Cloudflare (${baseUrl}) could not be reached: ${why}.${local ? ' Is the local emulator running (npm start or npm run emulator)?' : ' Check the network and try again.'}`,
        { operation },
      );
    }
    if (e instanceof APIError) {
      const status = e.status as number;
      const items: CloudflareApiErrorItem[] = (e.errors ?? [])
        .filter((x): x is { code: number; message: string } => typeof x?.code === 'number' && typeof x?.message === 'string')
        .map((x) => ({ code: x.code, message: x.message }));
      const codes = new Set(items.map((x) => x.code));
      const said = items.map((x) => x.message).join(' ');
      const base = { status, cloudflareErrors: items, operation };
      if (status === 429) {
        const ra = Number(e.headers?.get('retry-after'));
        const retryAfter = Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : undefined;
        return fail(
          'RATE_LIMITED',
          `Cloudflare's API rate limit was reached (1,200 requests per 5 minutes; it then blocks for 5 minutes). Try again${retryAfter ? ` in ${retryAfter} s` : ' later'}.`,
          { ...base, retryAfter },
        );
      }
      if (status === 401 || codes.has(1000) || codes.has(9103) || codes.has(9106) || codes.has(6003) || codes.has(10000) || codes.has(9109)) {
        const what = codes.has(10000) || codes.has(9109)
          ? `the API token has no access to zone ${config.zoneId}: check CLOUDFLARE_ZONE_ID and that the token has the "SSL and Certificates" permission on that zone`
          : codes.has(9106) || codes.has(6003)
            ? 'no usable credentials were sent: check CLOUDFLARE_API_TOKEN'
            : 'the API token (CLOUDFLARE_API_TOKEN) is invalid or was revoked';
        return fail('AUTH', `Cloudflare refused the request: ${what}.${said ? ` (Cloudflare: ${said})` : ''}`, base);
      }
      if (codes.has(1104) || codes.has(1405) || (status === 403 && /quota/i.test(said))) {
        return fail('QUOTA_EXCEEDED', `Cloudflare refused: the zone's quota is used up. ${said}`.trim(), base);
      }
      if (status === 404) {
        return fail('NOT_FOUND', `The ${resource}${id ? ` ${id}` : ''} was not found in Cloudflare zone ${config.zoneId}.`, base);
      }
      if (status === 409 && codes.has(1420)) {
        return fail('KEY_IN_USE', `The custom CSR's key is still used by a custom hostname; delete that hostname first. (Cloudflare: ${said})`, base);
      }
      if (status >= 500) {
        return fail('UPSTREAM', `Cloudflare answered with a server error (${status}) after retrying. Try again in a moment.${said ? ` (Cloudflare: ${said})` : ''}`, base);
      }
      if (operation === 'issueClientCertificate' && (codes.has(1101) || /csr/i.test(said))) {
        return fail('BAD_CSR', `Cloudflare refused the CSR: ${said || `HTTP ${status}`}`, base);
      }
      if (operation === 'createCustomHostname' && [1426, 1427, 1428, 1429, 1441, 1444, 1445, 1446, 1447].some((c) => codes.has(c))) {
        const hint = codes.has(1429)
          ? ' The certificate was not issued for this custom CSR’s key.'
          : codes.has(1441)
            ? ' The certificate must be signed by a publicly trusted CA (self-signed certificates are refused).'
            : '';
        return fail('BAD_CERTIFICATE', `Cloudflare refused the certificate: ${said}${hint}`, base);
      }
      return fail('INVALID_REQUEST', `Cloudflare refused the request (${status}): ${said || e.message}`, base);
    }
    if (e instanceof SdkError) return fail('INVALID_REQUEST', `Cloudflare request not sent: ${e.message}`, { operation });
    if (isPkiError(e)) return fail('BAD_CSR', e.message, { operation });
    return fail('UPSTREAM', `Unexpected failure talking to Cloudflare: ${e instanceof Error ? e.message : String(e)}`, { operation });
  }

  async function call<T>(operation: string, resource: Resource, id: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, operation, resource, id);
    }
  }

  async function toClientCertificate(c: Cloudflare.ClientCertificates.ClientCertificate): Promise<ClientCertificate> {
    const pem = c.certificate ? normalizePemText(c.certificate) + '\n' : '';
    const parsed = pem ? await parseCertificate(pem) : undefined;
    return {
      id: c.id ?? '',
      status: (c.status ?? 'active') as ClientCertificateStatus,
      certificatePem: parsed?.pem ?? pem,
      csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
      serialNumber: parsed?.serialNumber ?? serialFromApi(c.serial_number) ?? '',
      ski: (parsed?.ski ?? c.ski ?? '').toLowerCase(),
      fingerprintSha256: (parsed?.fingerprintSha256 ?? c.fingerprint_sha256 ?? '').toLowerCase(),
      commonName: c.common_name ?? parsed?.subject.CN ?? '',
      organization: c.organization ?? '',
      organizationalUnit: c.organizational_unit ?? '',
      country: c.country ?? '',
      state: c.state ?? '',
      locality: c.location ?? '',
      signature: c.signature ?? parsed?.signatureAlgorithm ?? '',
      issuedOn: toIssueDate(c.issued_on) ?? parsed?.notBefore ?? new Date(0),
      expiresOn: toIssueDate(c.expires_on) ?? parsed?.notAfter ?? new Date(0),
      validityDays: c.validity_days ?? 0,
      certificateAuthority: c.certificate_authority?.id
        ? { id: c.certificate_authority.id, name: c.certificate_authority.name ?? '' }
        : null,
    };
  }

  type CsrLike = Cloudflare.CustomCsrs.CustomCsrGetResponse;
  const toCustomCsr = (c: CsrLike): CustomCsr => ({
    id: c.id,
    createdAt: toIssueDate(c.created_at) ?? new Date(0),
    keyType: c.key_type,
    commonName: c.common_name ?? '',
    sans: c.sans ?? [],
    country: c.country ?? '',
    state: c.state ?? '',
    locality: c.locality ?? '',
    organization: c.organization ?? '',
    ...(c.organizational_unit ? { organizationalUnit: c.organizational_unit } : {}),
    ...(c.name ? { name: c.name } : {}),
    ...(c.description ? { description: c.description } : {}),
    csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
  });

  type HostLike = Cloudflare.CustomHostnames.CustomHostnameGetResponse;
  const toCustomHostname = (h: HostLike): CustomHostname => ({
    id: h.id,
    hostname: h.hostname,
    status: h.status ?? 'pending',
    createdAt: toIssueDate(h.created_at),
    ssl: {
      id: h.ssl?.id ?? null,
      status: h.ssl?.status ?? null,
      customCsrId: h.ssl?.custom_csr_id ?? null,
      hosts: h.ssl?.hosts ?? [],
      issuer: h.ssl?.issuer ?? null,
      serialNumber: serialFromApi(h.ssl?.serial_number),
      signature: h.ssl?.signature ?? null,
      expiresOn: toIssueDate(h.ssl?.expires_on),
      uploadedOn: toIssueDate(h.ssl?.uploaded_on),
    },
    ...(h.custom_metadata ? { customMetadata: h.custom_metadata as Record<string, string> } : {}),
  });

  async function* iterateClientCertificates(opts: { status?: ClientCertificateStatus | 'all' } = {}) {
    const pages = client.clientCertificates.list({ zone_id, status: opts.status ?? 'all', per_page: 50 });
    let page;
    try {
      page = await pages;
    } catch (e) {
      throw mapError(e, 'listClientCertificates', 'client certificate');
    }
    for (;;) {
      for (const item of page.getPaginatedItems()) yield await toClientCertificate(item);
      if (!page.hasNextPage()) return;
      try {
        page = await page.getNextPage();
      } catch (e) {
        throw mapError(e, 'listClientCertificates', 'client certificate');
      }
    }
  }

  async function findHostnameUsingCsr(csrId: string): Promise<string | undefined> {
    try {
      for await (const h of client.customHostnames.list({ zone_id, per_page: 50 })) {
        if (h.ssl?.custom_csr_id === csrId) return h.hostname;
      }
    } catch {
      // Best effort: the 409 itself already says what is wrong.
    }
    return undefined;
  }

  return {
    config: { zoneId: config.zoneId, baseUrl },

    /**
     * Signs a CSR with the zone's managed CA (POST client_certificates). The CSR is checked here
     * first so a bad one is explained without a round trip.
     * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/create/
     */
    async issueClientCertificate({ csr, validityDays }) {
      let pem: string;
      try {
        pem = (await parseCsr(csr)).pem;
      } catch (e) {
        throw mapError(e, 'issueClientCertificate', 'client certificate');
      }
      const created = await call('issueClientCertificate', 'client certificate', undefined, () =>
        client.clientCertificates.create({ zone_id, csr: pem, validity_days: validityDays }),
      );
      return toClientCertificate(created);
    },

    /** Every client certificate of the zone (all pages), optionally of one status. */
    async listClientCertificates(opts = {}) {
      const out: ClientCertificate[] = [];
      for await (const c of iterateClientCertificates(opts)) out.push(c);
      return out;
    },

    iterateClientCertificates,

    async getClientCertificate(id) {
      return toClientCertificate(await call('getClientCertificate', 'client certificate', id, () => client.clientCertificates.get(id, { zone_id })));
    },

    /**
     * Moves a certificate to pending_revocation; Cloudflare completes it to revoked shortly after.
     * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
     */
    async revokeClientCertificate(id) {
      return toClientCertificate(await call('revokeClientCertificate', 'client certificate', id, () => client.clientCertificates.delete(id, { zone_id })));
    },

    /** @see https://developers.cloudflare.com/api/resources/client_certificates/methods/edit/ */
    async reactivateClientCertificate(id) {
      return toClientCertificate(
        await call('reactivateClientCertificate', 'client certificate', id, () => client.clientCertificates.edit(id, { zone_id, reactivate: true })),
      );
    },

    /** Cloudflare makes (and keeps) the key; the CSR goes to the customer's CA (seed 004). */
    async createCustomCsr(input) {
      const created = await call('createCustomCsr', 'custom CSR', undefined, () =>
        client.customCsrs.create({
          zone_id,
          common_name: input.commonName,
          sans: input.sans,
          country: input.country,
          state: input.state,
          locality: input.locality,
          organization: input.organization,
          ...(input.organizationalUnit ? { organizational_unit: input.organizationalUnit } : {}),
          key_type: input.keyType ?? 'rsa2048',
          ...(input.name ? { name: input.name } : {}),
          ...(input.description ? { description: input.description } : {}),
        }),
      );
      return toCustomCsr(created);
    },

    async listCustomCsrs() {
      return call('listCustomCsrs', 'custom CSR', undefined, async () => {
        const out: CustomCsr[] = [];
        for await (const c of client.customCsrs.list({ zone_id, per_page: 50 })) out.push(toCustomCsr(c));
        return out;
      });
    },

    async getCustomCsr(id) {
      return toCustomCsr(await call('getCustomCsr', 'custom CSR', id, () => client.customCsrs.get(id, { zone_id })));
    },

    /** Refused with KEY_IN_USE (and the hostname, when found) while a custom hostname uses the key. */
    async deleteCustomCsr(id) {
      try {
        await client.customCsrs.delete(id, { zone_id });
      } catch (e) {
        const mapped = mapError(e, 'deleteCustomCsr', 'custom CSR', id);
        if (mapped.code !== 'KEY_IN_USE') throw mapped;
        const hostname = await findHostnameUsingCsr(id);
        throw new CloudflareError(
          'KEY_IN_USE',
          hostname
            ? `The custom CSR's key is still used by the custom hostname ${hostname}; delete that hostname first.`
            : mapped.message,
          { status: mapped.status, cloudflareErrors: mapped.cloudflareErrors, operation: 'deleteCustomCsr', hostname },
        );
      }
    },

    async createCustomHostname(input) {
      const ssl: Cloudflare.CustomHostnames.CustomHostnameCreateParams.SSL = {};
      if (input.customCsrId) ssl.custom_csr_id = input.customCsrId;
      if (input.customCertificate) ssl.custom_certificate = input.customCertificate;
      if (input.customKey) ssl.custom_key = input.customKey;
      if (!input.customCertificate) Object.assign(ssl, { method: 'http', type: 'dv' });
      const created = await call('createCustomHostname', 'custom hostname', undefined, () =>
        client.customHostnames.create({
          zone_id,
          hostname: input.hostname,
          ssl,
          ...(input.customMetadata ? { custom_metadata: input.customMetadata } : {}),
        }),
      );
      return toCustomHostname(created as HostLike);
    },

    async listCustomHostnames(opts = {}) {
      return call('listCustomHostnames', 'custom hostname', undefined, async () => {
        const out: CustomHostname[] = [];
        const params = { zone_id, per_page: 50, ...(opts.hostname ? { hostname: { exact: opts.hostname } } : {}) };
        for await (const h of client.customHostnames.list(params)) out.push(toCustomHostname(h as HostLike));
        return out;
      });
    },

    async getCustomHostname(id) {
      return toCustomHostname(await call('getCustomHostname', 'custom hostname', id, () => client.customHostnames.get(id, { zone_id })));
    },

    async deleteCustomHostname(id) {
      await call('deleteCustomHostname', 'custom hostname', id, () => client.customHostnames.delete(id, { zone_id }));
    },

    /** Hostnames on which the zone's managed CA's client certificates are requested (mTLS). */
    async getHostnameAssociations() {
      const r = await call('getHostnameAssociations', 'hostname associations', undefined, () =>
        client.certificateAuthorities.hostnameAssociations.get({ zone_id }),
      );
      return r.hostnames ?? [];
    },

    /** Replaces the list (PUT): pass every hostname that should require client certificates. */
    async updateHostnameAssociations(hostnames) {
      const r = await call('updateHostnameAssociations', 'hostname associations', undefined, () =>
        client.certificateAuthorities.hostnameAssociations.update({ zone_id, hostnames }),
      );
      return r.hostnames ?? [];
    },
  };
}

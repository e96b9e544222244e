/**
 * Whatever the official SDK throws, as the CloudflareError (an AppError) a person can act on. The
 * only place that reads the SDK's error classes; messages are scrubbed of the API token.
 */
import 'server-only';
import { APIConnectionError, APIError, CloudflareError as SdkError } from 'cloudflare';
import { isPkiError } from '@/lib/pki';
import { isLoopbackUrl } from './config';
import { CloudflareError, redact, type CloudflareApiErrorItem, type CloudflareErrorCode } from './errors';

export type CloudflareResource = 'client certificate' | 'custom CSR' | 'custom hostname' | 'hostname associations';

/** What a message may name: the base URL and zone. The token is only used to scrub it out. */
export interface ErrorTarget {
  apiToken: string;
  baseUrl: string;
  zoneId: string;
}

/** Set on the 429 certfleet answers itself while a recorded lock-out lasts (nothing was sent). */
export const HELD_BACK_HEADER = 'x-certfleet-held-back';

/** The rate budget's database could not be reached: the request was not sent. */
export class BudgetUnavailableError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'BudgetUnavailableError';
  }
}

function scrubbed(token: string, code: CloudflareErrorCode, message: string, extra: ConstructorParameters<typeof CloudflareError>[2] = {}): CloudflareError {
  return new CloudflareError(code, redact(message, token), {
    ...extra,
    cloudflareErrors: extra?.cloudflareErrors?.map((x) => ({ code: x.code, message: redact(x.message, token) })),
  });
}

/** Maps whatever the SDK threw to a CloudflareError a person can act on. */
export function toCloudflareError(target: ErrorTarget, e: unknown, operation: string, resource: CloudflareResource, id?: string): CloudflareError {
  const { baseUrl, zoneId } = target;
  const local = isLoopbackUrl(baseUrl);
  const fail = (code: CloudflareErrorCode, message: string, extra: ConstructorParameters<typeof CloudflareError>[2] = {}) =>
    scrubbed(target.apiToken, code, message, extra);
  if (e instanceof CloudflareError) return e;
  if (e instanceof APIConnectionError && (e as { cause?: unknown }).cause instanceof BudgetUnavailableError) {
    const cause = (e as { cause?: unknown }).cause as BudgetUnavailableError;
    return fail('UPSTREAM', `certfleet could not draw from its Cloudflare rate budget in the database, so nothing was sent to Cloudflare: ${cause.message}`, { operation });
  }
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
      if (e.headers?.get(HELD_BACK_HEADER)) {
        const ra = Number(e.headers.get('retry-after'));
        return fail(
          'RATE_LIMITED',
          `Cloudflare locked this API token out after a request too many (1,200 per 5 minutes), so certfleet holds every call back until the lock-out ends. Try again in ${Number.isFinite(ra) && ra > 0 ? ra : 60} s.`,
          { ...base, retryAfter: Number.isFinite(ra) && ra > 0 ? ra : undefined },
        );
      }
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
        ? `the API token has no access to zone ${zoneId}: check CLOUDFLARE_ZONE_ID and that the token has the "SSL and Certificates" permission on that zone`
        : codes.has(9106) || codes.has(6003)
          ? 'no usable credentials were sent: check CLOUDFLARE_API_TOKEN'
          : 'the API token (CLOUDFLARE_API_TOKEN) is invalid or was revoked';
      return fail('AUTH', `Cloudflare refused the request: ${what}.${said ? ` (Cloudflare: ${said})` : ''}`, base);
    }
    if (codes.has(1104) || codes.has(1405) || (status === 403 && /quota/i.test(said))) {
      return fail('QUOTA_EXCEEDED', `Cloudflare refused: the zone's quota is used up. ${said}`.trim(), base);
    }
    if (status === 404) {
      return fail('NOT_FOUND', `The ${resource}${id ? ` ${id}` : ''} was not found in Cloudflare zone ${zoneId}.`, base);
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

/**
 * Why an issuance did not (yet) produce a recorded certificate: `IssuanceError` and its codes, and the
 * turning of Cloudflare's and the database's failures into one a person can act on.
 */
import { type CloudflareErrorCode, isCloudflareError } from '@/lib/cloudflare';
import { AppError } from '@/lib/errors';

export type IssuanceErrorCode =
  /** The CSR was refused before anything was written or sent (garbage, weak key, bad signature, no subject). */
  | 'BAD_CSR'
  /** A field is invalid (validity out of range, malformed request id). */
  | 'BAD_INPUT'
  | 'DEVICE_NOT_FOUND'
  /** Another device already has the name. */
  | 'NAME_TAKEN'
  /** The request id was used before with another CSR: the browser must make a new id per submit. */
  | 'REQUEST_MISMATCH'
  /** Cloudflare refused definitely; nothing was issued. The code is Cloudflare's (RATE_LIMITED, QUOTA_EXCEEDED, …), also in `cloudflareCode`. */
  | CloudflareErrorCode
  /** Cloudflare's answer was lost (timeout, connection, 5xx) and certfleet cannot yet tell whether it signed. */
  | 'UNCERTAIN'
  /** Cloudflare issued the certificate but certfleet could not record it; a retry or the heal job will. */
  | 'RECORD_FAILED';

/**
 * Why an issuance did not (yet) produce a recorded certificate, in words the person can act on. `field`
 * puts the message beside a form field; `retryable` (also in `details`) says the same submit may be sent again.
 */
export class IssuanceError extends AppError<IssuanceErrorCode> {
  readonly field?: 'csr' | 'name' | 'commonName' | 'group' | 'validityDays' | 'requestId';
  readonly cloudflareCode?: CloudflareErrorCode;
  /** True when trying the same request again later can succeed. */
  readonly retryable: boolean;

  constructor(
    code: IssuanceErrorCode,
    message: string,
    extra: { field?: IssuanceError['field']; cloudflareCode?: CloudflareErrorCode; retryAfter?: number; retryable?: boolean } = {},
  ) {
    super(code, message, {
      // The wizard's field is csrPem; the data layer says csr.
      fieldErrors: extra.field ? { [extra.field === 'csr' ? 'csrPem' : extra.field]: [message] } : undefined,
      details: { retryable: extra.retryable ?? false },
      retryAfter: extra.retryAfter,
    });
    this.name = 'IssuanceError';
    this.field = extra.field;
    this.cloudflareCode = extra.cloudflareCode;
    this.retryable = extra.retryable ?? false;
  }
}

/** Cloudflare refusals after which nothing was signed, so the same request may be sent again. */
export const DEFINITE: ReadonlySet<CloudflareErrorCode> = new Set([
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'BAD_CSR',
  'INVALID_REQUEST',
  'AUTH',
  'NOT_CONFIGURED',
  'NOT_FOUND',
]);

/** A failure while looking for an earlier attempt's certificate: worth trying again later, whatever it was. */
export async function asIssuanceError(error: unknown): Promise<IssuanceError> {
  if (isCloudflareError(error)) {
    return new IssuanceError(error.code, error.message, {
      cloudflareCode: error.code,
      retryAfter: error.retryAfter,
      retryable: true,
    });
  }
  return new IssuanceError('UNCERTAIN', error instanceof Error ? error.message : String(error), { retryable: true });
}

/** Cloudflare signed, the database did not take it: a retry or the heal job records it. */
export function recordFailure(cloudflareId: string, error: unknown): IssuanceError {
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new IssuanceError(
    'RECORD_FAILED',
    `Cloudflare issued the certificate (${cloudflareId}) but certfleet could not record it (${why}). Submit again or wait for the background check: it is recorded then, and nothing is issued twice.`,
    { retryable: true },
  );
}

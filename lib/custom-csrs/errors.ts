import { type CloudflareErrorCode, isCloudflareError } from '@/lib/cloudflare/errors';
import { AppError } from '@/lib/errors';
import type { CertificateProblem } from './check-certificate';

/**
 * Why a custom-CSR change was refused, in words an ADMIN can act on. `field` puts the message beside
 * a form field (each problem of a refused certificate on its own line); `hostname` names the custom
 * hostname that still uses a CSR's key (KEY_IN_USE). A Cloudflare refusal keeps Cloudflare's code.
 */
export class CustomCsrError extends AppError<'NOT_FOUND' | 'CERTIFICATE_REFUSED' | 'KEY_IN_USE' | 'HOSTNAME_TAKEN' | CloudflareErrorCode> {
  constructor(
    code: CustomCsrError['code'],
    message: string,
    readonly extra: { field?: 'hostname' | 'certificate'; hostname?: string; problems?: CertificateProblem[] } = {},
  ) {
    super(code, message, {
      fieldErrors: extra.field ? { [extra.field]: extra.problems?.length ? extra.problems.map((p) => p.message) : [message] } : undefined,
      details: extra.hostname || extra.problems ? { hostname: extra.hostname, problems: extra.problems } : undefined,
    });
    this.name = 'CustomCsrError';
  }
}

export function isCustomCsrError(e: unknown): e is CustomCsrError {
  return e instanceof CustomCsrError;
}

/**
 * A Cloudflare refusal as a CustomCsrError (its message is already written for people by
 * lib/cloudflare); anything that is not a Cloudflare error is rethrown as the bug it is. `field` is
 * where a refusal of the request's content (INVALID_REQUEST) belongs on the form.
 */
export function fromCloudflare(error: unknown, field?: 'hostname' | 'certificate'): CustomCsrError {
  if (!isCloudflareError(error)) throw error;
  if (error.code === 'KEY_IN_USE') return new CustomCsrError('KEY_IN_USE', error.message, { hostname: error.hostname });
  if (error.code === 'BAD_CERTIFICATE') return new CustomCsrError('CERTIFICATE_REFUSED', error.message, { field: 'certificate' });
  // Custom hostname code 1406 (409): "Duplicate custom hostname found." (1406 means something else for custom CSRs.)
  if (error.operation === 'createCustomHostname' && (error.status === 409 || error.cloudflareErrors.some((e) => e.code === 1406))) {
    return new CustomCsrError('HOSTNAME_TAKEN', 'This hostname already exists as a custom hostname in the zone. Delete it there first, or choose another hostname.', {
      field: 'hostname',
    });
  }
  return new CustomCsrError(error.code, error.message, { field: error.code === 'INVALID_REQUEST' ? field : undefined });
}

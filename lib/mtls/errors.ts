import { type CloudflareErrorCode, isCloudflareError } from '@/lib/cloudflare/errors';
import { AppError } from '@/lib/errors';

/** Why an mTLS host change was refused, in words an ADMIN can act on. A Cloudflare refusal keeps Cloudflare's code. */
export class MtlsError extends AppError<'DUPLICATE' | 'NOT_ASSOCIATED' | 'STILL_ASSOCIATED' | 'NOT_WATCHED' | CloudflareErrorCode> {
  constructor(
    code: MtlsError['code'],
    message: string,
    /** True when the message belongs beside the hostname field. */
    readonly onField = false,
  ) {
    super(code, message, { fieldErrors: onField ? { hostname: [message] } : undefined });
    this.name = 'MtlsError';
  }
}

/** Cloudflare's refusal (already written for people by lib/cloudflare) as an MtlsError; other errors are rethrown. */
export function mtlsErrorFromCloudflare(error: unknown): MtlsError {
  if (error instanceof MtlsError) return error;
  if (!isCloudflareError(error)) throw error;
  return new MtlsError(error.code, error.message, error.code === 'INVALID_REQUEST');
}

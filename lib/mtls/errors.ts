import { isCloudflareError } from '@/lib/cloudflare/errors';

/** Why an mTLS host change was refused, in words an ADMIN can act on. */
export class MtlsError extends Error {
  constructor(
    readonly code: 'DUPLICATE' | 'NOT_ASSOCIATED' | 'STILL_ASSOCIATED' | 'NOT_WATCHED' | 'CLOUDFLARE',
    message: string,
    /** True when the message belongs beside the hostname field. */
    readonly onField = false,
  ) {
    super(message);
    this.name = 'MtlsError';
  }
}

/** Cloudflare's refusal (already written for people by lib/cloudflare) as an MtlsError; other errors are rethrown. */
export function mtlsErrorFromCloudflare(error: unknown): MtlsError {
  if (error instanceof MtlsError) return error;
  if (!isCloudflareError(error)) throw error;
  return new MtlsError('CLOUDFLARE', error.message, error.code === 'INVALID_REQUEST');
}

/**
 * Cloudflare failures as certfleet shows them: a code a person can act on and a message that says
 * what to do. Never holds the API token: messages are built from Cloudflare's error texts and our
 * own words, then scrubbed of the token as a last guard.
 */

import { AppError } from '@/lib/errors';

export type CloudflareErrorCode =
  /** Too many API calls: Cloudflare allows 1,200 per 5 minutes, then blocks for 5 minutes. `retryAfter` says when to try again. */
  | 'RATE_LIMITED'
  /** The zone holds as many client certificates (or custom hostnames) as it may: revoke some first. */
  | 'QUOTA_EXCEEDED'
  /** The CSR was refused (garbage, wrong type, weak key, bad signature, no subject): make a new CSR. */
  | 'BAD_CSR'
  /** A custom certificate was refused (self-signed, wrong key, hostname not covered): get the right certificate. */
  | 'BAD_CERTIFICATE'
  /** The certificate, CSR or hostname does not exist (any more) in Cloudflare. */
  | 'NOT_FOUND'
  /** A custom CSR's key is still used by a custom hostname (`hostname` when known): delete that hostname first. */
  | 'KEY_IN_USE'
  /** The request is not valid for its current state or has a bad field (e.g. revoking a revoked certificate). */
  | 'INVALID_REQUEST'
  /** Cloudflare refused the credentials or the zone: fix CLOUDFLARE_API_TOKEN / CLOUDFLARE_ZONE_ID or the token's permissions. */
  | 'AUTH'
  /** CLOUDFLARE_API_TOKEN / CLOUDFLARE_ZONE_ID are not set. */
  | 'NOT_CONFIGURED'
  /** No answer from Cloudflare (network, DNS, emulator not running, timeout). */
  | 'UNREACHABLE'
  /** Cloudflare answered with a server error even after retries. */
  | 'UPSTREAM';

export interface CloudflareApiErrorItem {
  code: number;
  message: string;
}

export class CloudflareError extends AppError<CloudflareErrorCode> {
  readonly code: CloudflareErrorCode;
  /** HTTP status Cloudflare answered with, when it answered. */
  readonly status?: number;
  /** Cloudflare's own error items ({code, message}), when it sent any. */
  readonly cloudflareErrors: CloudflareApiErrorItem[];
  /** Seconds to wait before trying again (RATE_LIMITED). */
  readonly retryAfter?: number;
  /** KEY_IN_USE: the custom hostname that uses the key, when it could be found. */
  readonly hostname?: string;
  /** The domain verb that failed, e.g. 'issueClientCertificate'. */
  readonly operation?: string;

  constructor(
    code: CloudflareErrorCode,
    message: string,
    extra: {
      status?: number;
      cloudflareErrors?: CloudflareApiErrorItem[];
      retryAfter?: number;
      hostname?: string;
      operation?: string;
    } = {},
  ) {
    super(code, message);
    this.name = 'CloudflareError';
    this.code = code;
    this.status = extra.status;
    this.cloudflareErrors = extra.cloudflareErrors ?? [];
    this.retryAfter = extra.retryAfter;
    this.hostname = extra.hostname;
    this.operation = extra.operation;
  }

  /** Safe to log or send to the browser: no token, no stack. */
  toJSON() {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      cloudflareErrors: this.cloudflareErrors,
      retryAfter: this.retryAfter,
      hostname: this.hostname,
      operation: this.operation,
    };
  }
}

export function isCloudflareError(e: unknown): e is CloudflareError {
  return e instanceof CloudflareError || (e instanceof Error && e.name === 'CloudflareError' && 'code' in e);
}

/** Replaces every occurrence of the secret in a text (last guard before a message leaves this module). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

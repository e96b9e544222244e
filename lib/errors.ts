import { z } from 'zod';

/*
 * The one error type of certfleet. An expected failure (a refusal, bad input, a rule, Cloudflare saying
 * no) is an `AppError` whose `code` comes from ERROR_CODES below: the code gives it its HTTP status and
 * says why it exists. The route and action wrappers (lib/server/route.ts, lib/server/action.ts) turn an
 * AppError into a JSON answer or a form state; anything that is not an AppError is a bug (500 / error.tsx).
 *
 * Browser-safe (lib/pki's errors extend it in the browser too): no server imports here.
 */

/**
 * Every code, its HTTP status and why it exists. Feature errors (AuthError, IssuanceError,
 * CloudflareError, …) extend AppError and may only use codes from this table.
 */
export const ERROR_CODES = {
  // --- the request itself -------------------------------------------------------------------------
  /** Nobody is signed in, or the account was disabled since: sign in (again). */
  UNAUTHENTICATED: { status: 401 },
  /** The role lacks the permission the operation needs; the message names it. */
  FORBIDDEN: { status: 403 },
  /** The request cannot be read: a body that is not JSON, a path or query parameter out of shape. */
  BAD_REQUEST: { status: 400 },
  /** A route that takes a body was sent something other than JSON (also keeps cross-site HTML forms out). */
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  /** The body is longer than the route or action takes (1 MB unless the route says more). */
  PAYLOAD_TOO_LARGE: { status: 413 },
  /** A state-changing request came from another site's page (Origin / Sec-Fetch-Site): cross-site request forgery refused. */
  CROSS_ORIGIN: { status: 403 },
  /** A field failed its schema or a rule about one field (validity out of range, malformed request id); `fieldErrors` say which. */
  BAD_INPUT: { status: 422 },
  /** What the request names does not exist (any more). */
  NOT_FOUND: { status: 404 },
  /** Someone else changed the same thing at the same time: reload and try again. */
  CONFLICT: { status: 409 },
  /** The thing exists but is not in a state for this (e.g. undoing a revocation Cloudflare has completed). */
  INVALID_STATE: { status: 409 },
  /** An Idempotency-Key was sent before with a different request, or its first request is still running. */
  IDEMPOTENCY_CONFLICT: { status: 409 },
  /** Too many requests with one API token; `retryAfter` says when the next minute starts. */
  TOO_MANY_REQUESTS: { status: 429 },
  /** Not an expected failure: a bug or an outage. Only the wrappers use it, for what they log and hide. */
  INTERNAL: { status: 500 },

  // --- users --------------------------------------------------------------------------------------
  /** One mailbox, one account: the email is taken. */
  EMAIL_TAKEN: { status: 409 },
  /** The change would leave no enabled ADMIN, and nobody could manage users any more. */
  LAST_ADMIN: { status: 409 },

  // --- devices and issuance (lib/data/issuance/) ----------------------------------------------------
  /** Another device already has this name (names end up in file names and URLs). */
  NAME_TAKEN: { status: 409 },
  /** The device to issue for does not exist (any more). */
  DEVICE_NOT_FOUND: { status: 404 },
  /** The request id was used before with another CSR: the browser must make a new id per submit. */
  REQUEST_MISMATCH: { status: 409 },
  /** Cloudflare's answer was lost (timeout, connection, 5xx): it may or may not have signed. Submitting again is safe. */
  UNCERTAIN: { status: 503 },
  /** Cloudflare made the change but certfleet could not record it; a retry or the background refresh records it. */
  RECORD_FAILED: { status: 503 },

  // --- certificates, CSRs and keys (lib/pki) ------------------------------------------------------
  /** The CSR was refused (garbage, wrong type, weak key, bad signature, no subject): make a new CSR. */
  BAD_CSR: { status: 422 },
  /** Nothing was given where a file or PEM text was expected. */
  EMPTY: { status: 422 },
  /** The text is neither PEM nor DER. */
  NOT_PEM_OR_DER: { status: 422 },
  /** A PEM of another kind than expected (a key where a certificate belongs, …). */
  WRONG_TYPE: { status: 422 },
  /** The structure inside the PEM/DER cannot be decoded. */
  MALFORMED: { status: 422 },
  /** The signature does not verify. */
  BAD_SIGNATURE: { status: 422 },
  /** A CSR without a subject: Cloudflare needs one. */
  NO_SUBJECT: { status: 422 },
  /** A key too weak for the zone's policy (e.g. RSA under 2048 bits). */
  WEAK_KEY: { status: 422 },
  /** A key algorithm or curve Cloudflare does not sign. */
  UNSUPPORTED_KEY: { status: 422 },
  /** The PKCS#12 password is wrong. */
  BAD_PASSWORD: { status: 422 },

  // --- custom CSRs and hostnames (lib/custom-csrs) ------------------------------------------------
  /** certfleet's own check refused the signed certificate before Cloudflare saw it; `fieldErrors.certificate` lists why. */
  CERTIFICATE_REFUSED: { status: 422 },
  /** A custom CSR's key is still used by a custom hostname (`details.hostname`): delete that hostname first. */
  KEY_IN_USE: { status: 409 },
  /** The hostname already exists as a custom hostname in the zone. */
  HOSTNAME_TAKEN: { status: 409 },

  // --- mTLS hosts (lib/data/mtls.ts) --------------------------------------------------------------
  /** The hostname already requires client certificates. */
  DUPLICATE: { status: 409 },
  /** The hostname does not require client certificates: nothing to remove. */
  NOT_ASSOCIATED: { status: 409 },
  /** The hostname still requires client certificates: remove that first, then stop watching it. */
  STILL_ASSOCIATED: { status: 409 },
  /** certfleet is not watching this hostname. */
  NOT_WATCHED: { status: 404 },

  // --- bulk enrollment and reconcile --------------------------------------------------------------
  /** The CSV cannot be read as a whole (no header, unclosed quote…). */
  FILE: { status: 422 },
  /** Some rows have problems; `details.report` is the dry run listing each. Nothing was queued. */
  HAS_PROBLEMS: { status: 422 },
  /** A reconcile is running already; its results appear when it finishes. */
  RUNNING: { status: 409 },

  // --- readings -----------------------------------------------------------------------------------
  /** Pulling readings from the Worker failed part-way; what was stored stays, the next pull resumes. */
  PULL_FAILED: { status: 502 },

  // --- Cloudflare (lib/cloudflare/errors.ts): its failures keep their code up to the answer --------
  /** Too many API calls: Cloudflare allows 1,200 per 5 minutes, then blocks for 5 minutes. `retryAfter` says when to try again. */
  RATE_LIMITED: { status: 429 },
  /** The zone holds as many client certificates (or custom hostnames) as it may: revoke some first. */
  QUOTA_EXCEEDED: { status: 409 },
  /** A custom certificate was refused by Cloudflare (self-signed, wrong key, hostname not covered): get the right certificate. */
  BAD_CERTIFICATE: { status: 422 },
  /** Cloudflare refused the request as invalid for its state or fields (e.g. revoking a revoked certificate). */
  INVALID_REQUEST: { status: 400 },
  /** Cloudflare refused certfleet's credentials or zone: the server's configuration, not the caller, must change. */
  AUTH: { status: 502 },
  /** A server setting is missing (CLOUDFLARE_API_TOKEN / CLOUDFLARE_ZONE_ID, the readings Worker, …). */
  NOT_CONFIGURED: { status: 503 },
  /** No answer from Cloudflare (network, DNS, emulator not running, timeout). */
  UNREACHABLE: { status: 502 },
  /** Cloudflare answered with a server error even after retries. */
  UPSTREAM: { status: 502 },
} as const satisfies Record<string, { status: number }>;

export type AppErrorCode = keyof typeof ERROR_CODES;

/** Field name → messages, as forms show them beside each field and the JSON API sends them as `fields`. */
export type FieldErrors<TField extends string = string> = Partial<Record<TField, string[]>>;

/** The JSON body of every error answer of the API (lib/server/route.ts); browsers and scripts read `error.message`. */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string; fields?: FieldErrors; details?: Record<string, unknown> };
}

export interface AppErrorOptions {
  /** Messages that belong beside a form field (or name the JSON field that is wrong). */
  fieldErrors?: FieldErrors;
  /** Facts a client can act on, sent as they are (never secrets, never stack traces): a report, a hostname, `retryable`. */
  details?: Record<string, unknown>;
  /** Seconds before trying again makes sense; the route wrapper sends it as `Retry-After`. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * An expected failure with a message written for the person who caused it (what happened and what to
 * do). Throw it from anywhere on the server; the wrappers answer with `httpStatus` and the message.
 *
 * @example throw new AppError('NOT_FOUND', 'No such certificate.');
 */
export class AppError<TCode extends AppErrorCode = AppErrorCode> extends Error {
  readonly code: TCode;
  readonly fieldErrors?: FieldErrors;
  readonly details?: Record<string, unknown>;
  readonly retryAfter?: number;

  constructor(code: TCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.fieldErrors = options.fieldErrors;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  /** The status to answer with, from ERROR_CODES: the one place a code gets its status. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The summary a form shows above its fields when the messages are beside them. */
export const CHECK_FIELDS = 'Check the highlighted fields.';

/** A schema's issues grouped by field (the first path segment), each message once; issues about the whole input under `_`. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_';
    const list = (fields[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return fields;
}

/**
 * Bad input as an AppError: `BAD_INPUT` (422) for a form or JSON body, `BAD_REQUEST` (400) for a path
 * or query parameter. The message is `message` if given (forms: CHECK_FIELDS), else the one wrong
 * field's own message, else CHECK_FIELDS; a problem with the input as a whole is always its own message.
 */
export function invalidInput(error: z.ZodError, options: { code?: 'BAD_INPUT' | 'BAD_REQUEST'; message?: string } = {}): AppError<'BAD_INPUT' | 'BAD_REQUEST'> {
  const fieldErrors = fieldErrorsOf(error);
  const entries = Object.entries(fieldErrors) as [string, string[]][];
  const whole = entries.length === 1 && entries[0]![0] === '_' ? entries[0]![1].join(' ') : undefined;
  const single = entries.length === 1 && entries[0]![1].length === 1 ? `${entries[0]![0]}: ${entries[0]![1][0]}` : undefined;
  const message = whole ?? options.message ?? single ?? CHECK_FIELDS;
  return new AppError(options.code ?? 'BAD_INPUT', message, { fieldErrors });
}

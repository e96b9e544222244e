import { z } from 'zod';
import type { ActionFailure } from './action-state';
import { BULK_MAX_BYTES } from './bulk-csv';
import { KEY_SOURCES, KEY_TYPES, MAX_COMMON_NAME, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from './enrollment-constants';

/*
 * The schemas of enrollment, bulk enrollment and renewal, shared by the browser (the wizards load them
 * with `await import()` on submit), the server actions and the route handlers. Browser-safe: no server
 * imports. The limits, key types and labels the pages show are in enrollment-constants.ts, the bulk CSV
 * reader in bulk-csv.ts: no zod in either.
 */

// Names end up in file names, URLs and snippets: keep them to what needs no quoting anywhere.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_HINT = 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.';

/** A name that goes into file names and URLs: required (`missing` asks for it), at most 64 characters. */
const nameSchema = (missing: string) => z.string(missing).trim().min(1, missing).max(64, 'Use at most 64 characters.').regex(NAME, NAME_HINT);

export const deviceNameSchema = nameSchema('Enter a name.');
export const groupSchema = nameSchema('Choose or enter a group.');

export const commonNameSchema = z
  .string('Enter a common name.')
  .trim()
  .min(1, 'Enter a common name.')
  .max(MAX_COMMON_NAME, `A common name has at most ${MAX_COMMON_NAME} characters (RFC 5280).`);

export const validityDaysSchema = z.coerce
  .number('Enter a number of days.')
  .int('Enter a whole number of days.')
  .min(MIN_VALIDITY_DAYS, `At least ${MIN_VALIDITY_DAYS} day.`)
  .max(MAX_VALIDITY_DAYS, `At most ${MAX_VALIDITY_DAYS} days (15 years).`);

export const csrPemSchema = z
  .string('Paste or upload the CSR.')
  .trim()
  .min(1, 'Paste or upload the CSR.')
  .max(20_000, 'That is far too long for a CSR.')
  .refine((pem) => !/PRIVATE KEY-----/.test(pem), 'This is a private key. Keep it on the device and send only its CSR.');

/** Made in the browser for each submit (crypto.randomUUID()); a retry of the same submit sends it again. */
export const requestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,100}$/, 'The request id is missing or malformed; reload the page and submit again.');

/** The one schema of the enrollment wizard, its server action and `POST /api/enroll`. */
export const EnrollmentSchema = z.object({
  requestId: requestIdSchema,
  name: deviceNameSchema,
  group: groupSchema,
  commonName: commonNameSchema,
  validityDays: validityDaysSchema,
  keySource: z.enum(KEY_SOURCES, 'Choose where the key is made.'),
  /** Informational for browser-made keys (the CSR says what it is). */
  keyType: z.enum(KEY_TYPES).optional(),
  csrPem: csrPemSchema,
});
export type EnrollmentInput = z.infer<typeof EnrollmentSchema>;
export type EnrollmentField = keyof EnrollmentInput;

/** The fields a person fills in (the CSR and request id come from the page itself). */
export const EnrollmentDetailsSchema = EnrollmentSchema.pick({ name: true, group: true, commonName: true, validityDays: true });

/** Renewal of one device's certificate: the wizard's key part and validity. */
export const RenewalSchema = z.object({
  requestId: requestIdSchema,
  deviceId: z.string().trim().min(1).max(64),
  replacesCertificateId: z.string().trim().min(1).max(64),
  validityDays: validityDaysSchema,
  keySource: z.enum(KEY_SOURCES),
  keyType: z.enum(KEY_TYPES).optional(),
  csrPem: csrPemSchema,
  /** now: revoke the old certificate once the new one is recorded; when-seen: once the device posts with the new one. */
  revokeOld: z.enum(['now', 'when-seen'], 'Choose when the old certificate is revoked.'),
});
export type RenewalInput = z.infer<typeof RenewalSchema>;
export type RenewalField = keyof RenewalInput;

/* ------------------------------------------------------------------ bulk upload */

/** The body of `POST /api/bulk/dry-run` and `POST /api/bulk/jobs` (the CSV itself is read by bulk-csv.ts). */
export const BulkUploadSchema = z.object({
  csv: z.string('Choose a CSV file.').min(1, 'The file is empty.').max(BULK_MAX_BYTES, 'The file is larger than 10 MB; split it.'),
});
export type BulkUploadInput = z.infer<typeof BulkUploadSchema>;

/* ------------------------------------------------------------------ answers */

/** What an issuance server action answers (dates as ISO strings: they cross to the browser). */
export interface IssuedCertificateInfo {
  id: string;
  cloudflareId: string;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  commonName: string;
  keyType: string;
  keySize: number;
  issuedOn: string;
  expiresOn: string;
  validityDays: number;
  pem: string;
}

export interface IssuedDeviceInfo {
  id: string;
  name: string;
  group: string;
  commonName: string;
}

export type IssueActionResult =
  | {
      ok: true;
      /** issued now, already issued by an earlier try of this submit, or recovered after a lost answer. */
      outcome: 'issued' | 'already-issued' | 'recovered';
      device: IssuedDeviceInfo | null;
      certificate: IssuedCertificateInfo;
      message: string;
    }
  /** `details.retryable`: the same submit may be sent again (the request id is kept). */
  | ActionFailure;

/** What the "connect your device" panel is filled with. */
export interface ConnectInfo {
  /** e.g. https://127.0.0.1:8443/temps */
  endpoint: string;
  host: string;
  port: number;
  path: string;
  /** File name of the server CA devices must trust, when the server is not publicly trusted. */
  serverCaFile: string | null;
  /** False when no device URL is configured: the snippets show a placeholder to replace. */
  configured: boolean;
}

import { z } from 'zod';
import type { ActionFailure } from './action-state';

/*
 * The schemas of enrollment, bulk enrollment and renewal, shared by the browser (wizard, CSV dry run
 * preview), the server actions and the route handlers. Browser-safe: no server imports.
 */

/** `validity_days` is required by the API (its reference's example and seed 001 use 3650); the dashboard offers 1 day to 15 years. */
export const MIN_VALIDITY_DAYS = 1;
export const MAX_VALIDITY_DAYS = 5475;
export const DEFAULT_VALIDITY_DAYS = 3650;

/** RFC 5280 ub-common-name. */
export const MAX_COMMON_NAME = 64;

export const KEY_TYPES = ['P-256', 'RSA-2048'] as const;
export type KeyTypeChoice = (typeof KEY_TYPES)[number];
export const KEY_TYPE_LABELS: Record<KeyTypeChoice, string> = {
  'P-256': 'ECDSA P-256 (small, fast; recommended)',
  'RSA-2048': 'RSA 2048 (for older TLS stacks)',
};

export const KEY_SOURCES = ['browser', 'csr'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

// Names end up in file names, URLs and snippets: keep them to what needs no quoting anywhere.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_HINT = 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.';

export const deviceNameSchema = z
  .string('Enter a name.')
  .trim()
  .min(1, 'Enter a name.')
  .max(64, 'Use at most 64 characters.')
  .regex(NAME, NAME_HINT);

export const groupSchema = z
  .string('Choose or enter a group.')
  .trim()
  .min(1, 'Choose or enter a group.')
  .max(64, 'Use at most 64 characters.')
  .regex(NAME, NAME_HINT);

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

/** `cold-storage-11` → `cold-storage-11`: the common name a device name suggests. */
export function commonNameFromName(name: string): string {
  return name.trim().slice(0, MAX_COMMON_NAME);
}

/* ------------------------------------------------------------------ bulk CSV */

export const BULK_MAX_ROWS = 5000;
export const BULK_MAX_BYTES = 10 * 1024 * 1024;
export const BULK_COLUMNS = ['name', 'group', 'csr'] as const;

export interface CsvParseResult {
  header: string[];
  /** Each record with the 1-based line where it starts, for messages people can find in their editor. */
  records: { line: number; fields: string[] }[];
  error?: string;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, a quoted field may hold commas,
 * line breaks (a CSR PEM) and doubled quotes. CRLF or LF. Empty lines are skipped.
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */
export function parseCsv(text: string): CsvParseResult {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const input = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      fieldStarted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r' && input[i + 1] === '\n') {
      continue;
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return { header: [], records: [], error: `A quoted field that starts on line ${recordLine} is never closed: check its double quotes.` };
  }
  if (field !== '' || fields.length || fieldStarted) endRecord();
  const [head, ...rest] = records;
  return { header: (head?.fields ?? []).map((h) => h.trim().toLowerCase()), records: rest };
}

export interface BulkCsvRow {
  /** 1-based data row number (the header is row 0). */
  row: number;
  line: number;
  name: string;
  group: string;
  csr: string;
}

/**
 * The rows of a bulk enrollment CSV (header `name,group,csr`, any column order). Problems with the
 * file as a whole come back as `error`; problems of single rows are the dry run's business.
 */
export function readBulkCsv(text: string): { rows: BulkCsvRow[]; error?: string } {
  if (text.length > BULK_MAX_BYTES) return { rows: [], error: `The file is larger than ${BULK_MAX_BYTES / 1024 / 1024} MB; split it.` };
  const parsed = parseCsv(text);
  if (parsed.error) return { rows: [], error: parsed.error };
  const missing = BULK_COLUMNS.filter((c) => !parsed.header.includes(c));
  if (missing.length) {
    return {
      rows: [],
      error: `The first line must name the columns name, group and csr (missing: ${missing.join(', ')}). Found: ${parsed.header.join(', ') || 'nothing'}.`,
    };
  }
  if (parsed.records.length === 0) return { rows: [], error: 'The file has a header but no rows.' };
  if (parsed.records.length > BULK_MAX_ROWS) return { rows: [], error: `At most ${BULK_MAX_ROWS} rows per file; this one has ${parsed.records.length}.` };
  const at = Object.fromEntries(BULK_COLUMNS.map((c) => [c, parsed.header.indexOf(c)])) as Record<(typeof BULK_COLUMNS)[number], number>;
  return {
    rows: parsed.records.map((r, i) => ({
      row: i + 1,
      line: r.line,
      name: (r.fields[at.name] ?? '').trim(),
      group: (r.fields[at.group] ?? '').trim(),
      csr: (r.fields[at.csr] ?? '').trim(),
    })),
  };
}

/** Quotes one CSV field when it needs it (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Bulk-enrolled certificates are valid this long (the CSV has no column for it). */
export const BULK_VALIDITY_DAYS = DEFAULT_VALIDITY_DAYS;

/** The body of `POST /api/bulk/dry-run` and `POST /api/bulk/jobs`. */
/** A bulk upload's JSON body: the CSV (≤ BULK_MAX_BYTES) with JSON's escaping (a quote or newline takes 2 bytes). */
export const BULK_MAX_BODY_BYTES = 2 * BULK_MAX_BYTES + 4096;

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

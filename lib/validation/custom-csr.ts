import { z } from 'zod';
import { hostnameProblem, hostnameProblemMessage, normalizeHostname } from '@/lib/custom-csrs/hostnames';
import { CUSTOM_CSR_KEY_TYPES, type CustomCsrKeyTypeName, MAX_COMMON_NAME } from './custom-csr-constants';
import { firstParam, parseTableSearch, type RawSearchParams, type TableSearch } from './table-search-params';

/**
 * The one schema for custom CSRs, shared by the create form (in the browser), its server action and
 * `POST /api/custom-csrs`. The rules and their wording follow Cloudflare's (codes 1405–1417), so a
 * mistake is explained here before Cloudflare would refuse it. The key types, labels and field names the
 * browser shows are in custom-csr-constants.ts (no zod): the form loads this schema when it is submitted.
 * @see ../shared/seeds/004 and https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/custom-csrs/
 */

const required = (field: string, max: number) =>
  z
    .string(`${field} is required.`)
    .trim()
    .min(1, `${field} is required.`)
    .max(max, `${field} is too long: at most ${max} characters.`);

/** A textarea (one per line, or separated by commas or spaces) or a JSON array, as a clean list. */
const sanList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(/[\s,]+/) : value),
  z
    .array(z.string('Each SAN must be text.'), 'Give the SANs as a list of hostnames.')
    .transform((list) => [...new Set(list.map(normalizeHostname).filter(Boolean))]),
);

export const CustomCsrSchema = z
  .object({
    country: z
      .string('Country is required.')
      .trim()
      .min(1, 'Country is required.')
      .regex(/^[A-Za-z]{2}$/, 'Country must be a two-letter ISO 3166-1 code, such as US or DE.')
      .transform((c) => c.toUpperCase()),
    state: required('State or province', 128),
    locality: required('Locality (city)', 128),
    organization: required('Organization', 64),
    organizationalUnit: z
      .string()
      .trim()
      .max(64, 'Organizational unit is too long: at most 64 characters.')
      .optional()
      .transform((v) => v || undefined),
    commonName: z
      .string('Common name is required.')
      .trim()
      .min(1, 'Common name is required.')
      .max(MAX_COMMON_NAME, `The common name is too long: at most ${MAX_COMMON_NAME} characters (RFC 5280).`),
    sans: sanList,
    keyType: z.preprocess((v) => (v === '' || v === undefined || v === null ? 'rsa2048' : v), z.enum(CUSTOM_CSR_KEY_TYPES, "Key type must be RSA 2048 ('rsa2048') or ECDSA P-256 ('p256v1').")),
  })
  .superRefine((value, ctx) => {
    if (value.sans.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['sans'], message: 'Give at least one subject alternative name (SAN), for example the hostname the certificate is for.' });
    }
    for (const san of value.sans) {
      const problem = hostnameProblem(san);
      if (problem) ctx.addIssue({ code: 'custom', path: ['sans'], message: hostnameProblemMessage(problem, san) });
    }
    // The common name joins the SANs (seed 004: "the list of SANs should include the common name"), so it must be one.
    const cn = normalizeHostname(value.commonName);
    if (cn && !value.sans.includes(cn)) {
      const problem = hostnameProblem(cn);
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: ['commonName'],
          message: `The common name is added to the SANs, so it must be a hostname too: ${hostnameProblemMessage(problem, cn, 'it')}`,
        });
      }
    }
  })
  .transform((value) => {
    const cn = normalizeHostname(value.commonName);
    return { ...value, sans: value.sans.includes(cn) ? value.sans : [cn, ...value.sans] };
  });

export type CustomCsrInputValues = z.input<typeof CustomCsrSchema>;
export type CreateCustomCsrInput = z.output<typeof CustomCsrSchema>;

/** Uploading what the customer's CA signed: the hostname to create and the certificate (PEM, chain allowed). */
export const UploadCertificateSchema = z.object({
  id: z.string().trim().min(1, 'Missing custom CSR id.').max(64),
  hostname: z
    .string('Hostname is required.')
    .transform(normalizeHostname)
    .superRefine((name, ctx) => {
      const problem = hostnameProblem(name, { allowWildcard: false });
      if (problem) ctx.addIssue({ code: 'custom', message: problem === 'empty' ? 'Hostname is required.' : hostnameProblemMessage(problem, name, 'Hostname') });
    }),
  certificate: z
    .string('Paste the certificate your CA returned.')
    .trim()
    .min(1, 'Paste the certificate your CA returned (PEM text starting with -----BEGIN CERTIFICATE-----).')
    .max(65_536, 'This is too long for a certificate chain (at most 64 KB).'),
});
export type UploadCertificateInput = z.infer<typeof UploadCertificateSchema>;

export const DeleteCustomCsrSchema = z.object({ id: z.string().trim().min(1, 'Missing custom CSR id.').max(64) });

export const CUSTOM_CSR_SORTS = ['commonName', 'createdAt'] as const;
export type CustomCsrSort = (typeof CUSTOM_CSR_SORTS)[number];

export interface CustomCsrListSearch extends TableSearch<CustomCsrSort> {
  keyType: CustomCsrKeyTypeName | null;
  /** true: used by at least one custom hostname; false: by none. */
  inUse: boolean | null;
}

/** The Custom CSRs table's URL state (`?sort=commonName&dir=asc&keyType=p256v1&inUse=yes&q=shop`). */
export function parseCustomCsrListSearch(raw: RawSearchParams): CustomCsrListSearch {
  const keyType = firstParam(raw, 'keyType');
  const inUse = firstParam(raw, 'inUse');
  return {
    ...parseTableSearch(raw, { sortable: CUSTOM_CSR_SORTS, defaultSort: 'createdAt', defaultDir: 'desc' }),
    keyType: (CUSTOM_CSR_KEY_TYPES as readonly string[]).includes(keyType ?? '') ? (keyType as CustomCsrKeyTypeName) : null,
    inUse: inUse === 'yes' ? true : inUse === 'no' ? false : null,
  };
}

/*
 * What the custom CSR pages show and name, without zod: key types and their labels, the form's fields and limits.
 * The schemas that check them are in custom-csr.ts.
 */

export const CUSTOM_CSR_KEY_TYPES = ['rsa2048', 'p256v1'] as const;
export type CustomCsrKeyTypeName = (typeof CUSTOM_CSR_KEY_TYPES)[number];
export const KEY_TYPE_LABELS: Record<CustomCsrKeyTypeName, string> = { rsa2048: 'RSA 2048', p256v1: 'ECDSA P-256' };

/** RFC 5280 upper bounds (ub-common-name 64, ub-organization-name 64, ub-state-name 128, …). */
export const MAX_COMMON_NAME = 64;

export type CustomCsrField = 'country' | 'state' | 'locality' | 'organization' | 'organizationalUnit' | 'commonName' | 'sans' | 'keyType';
export const CUSTOM_CSR_FIELDS: readonly CustomCsrField[] = ['country', 'state', 'locality', 'organization', 'organizationalUnit', 'commonName', 'sans', 'keyType'];
export type UploadCertificateField = 'hostname' | 'certificate';

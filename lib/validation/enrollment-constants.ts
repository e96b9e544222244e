/*
 * Enrollment's and renewal's limits, key choices and their labels, without zod: what the wizards show. The
 * schemas that check them are in enrollment.ts.
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

/** `cold-storage-11` → `cold-storage-11`: the common name a device name suggests. */
export function commonNameFromName(name: string): string {
  return name.trim().slice(0, MAX_COMMON_NAME);
}

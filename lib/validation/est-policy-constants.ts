/*
 * The choices the EST policy form shows, without zod (issue 12: the form is on /est's first load).
 * The schema is in est-policy.ts.
 */

export const KEY_TYPES = ['RSA', 'P-256', 'P-384'] as const;
export type EstKeyType = (typeof KEY_TYPES)[number];
export const RSA_SIZES = [2048, 3072, 4096] as const;
export const WINDOW_MODES = ['PERCENT', 'DAYS'] as const;

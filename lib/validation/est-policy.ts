import { z } from 'zod';
import { formBoolean } from './action-state';
import { type EstKeyType, KEY_TYPES, RSA_SIZES, WINDOW_MODES } from './est-policy-constants';

/*
 * The per-group EST policy (docs/est.md "Policy"): one schema for the form on /est and the data layer.
 * Browser-safe. The defaults are the values that were fixed in code before policies existed, so a group
 * nobody configured behaves as it always did. The choices the form shows are in est-policy-constants.ts (no zod).
 */

/** Validity of enrollments when the policy sets none (renewals keep the old certificate's). */
export const DEFAULT_ENROLL_VALIDITY_DAYS = 3650;

export interface EstPolicyValues {
  windowMode: (typeof WINDOW_MODES)[number];
  windowPercent: number;
  windowDays: number;
  refuseEarlyRenewal: boolean;
  keyTypes: EstKeyType[];
  minRsaBits: number;
  /** null: 3650 days for enrollments, the old certificate's validity for renewals. */
  validityDays: number | null;
  tokenHours: number;
  tokenUses: number;
  /** null: no limit. */
  maxRequestsPerDay: number | null;
}

export const DEFAULT_EST_POLICY: EstPolicyValues = {
  windowMode: 'PERCENT',
  windowPercent: 30,
  windowDays: 30,
  refuseEarlyRenewal: false,
  keyTypes: ['RSA', 'P-256', 'P-384'],
  minRsaBits: 2048,
  validityDays: null,
  tokenHours: 72,
  tokenUses: 1,
  maxRequestsPerDay: null,
};

const whole = (what: string, min: number, max: number, unit: string, one = unit) =>
  z.coerce
    .number({ error: `Enter ${what}.` })
    .int(`Use a whole number of ${unit}.`)
    .min(min, `At least ${min} ${min === 1 ? one : unit}.`)
    .max(max, `At most ${max} ${unit}.`);

/** A blank field means "not set" (null). */
const optionalWhole = (what: string, min: number, max: number, unit: string, one = unit) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? null : v), whole(what, min, max, unit, one).nullable());

/** Checkboxes: absent (none ticked), one value, or several. */
const list = z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));

export const EstPolicySchema = z.object({
  group: z.string().trim().min(1, 'Choose a group.').max(200, 'At most 200 characters.'),
  windowMode: z.enum(WINDOW_MODES, { error: 'Choose a percentage of the lifetime or a number of days.' }),
  windowPercent: whole('a percentage', 1, 90, '%'),
  windowDays: whole('a number of days', 1, 3650, 'days', 'day'),
  refuseEarlyRenewal: formBoolean.default(false),
  keyTypes: list
    .pipe(z.array(z.enum(KEY_TYPES, { error: 'Unknown key type.' })).min(1, 'Accept at least one key type.'))
    .transform((v) => [...new Set(v)]),
  minRsaBits: z.coerce
    .number({ error: 'Choose a minimum RSA size.' })
    .refine((n) => (RSA_SIZES as readonly number[]).includes(n), `The minimum RSA size is one of ${RSA_SIZES.join(', ')}.`),
  validityDays: optionalWhole('a number of days', 1, 3650, 'days', 'day'),
  tokenHours: whole('a number of hours', 1, 720, 'hours', 'hour'),
  tokenUses: whole('a number of uses', 1, 1000, 'uses', 'use'),
  maxRequestsPerDay: optionalWhole('a number of requests', 1, 10_000, 'requests', 'request'),
});

export type EstPolicyInput = z.output<typeof EstPolicySchema>;

/** When a certificate's renewal window opens under a policy. */
export function windowOpensAt(policy: Pick<EstPolicyValues, 'windowMode' | 'windowPercent' | 'windowDays'>, issuedOn: Date, expiresOn: Date): Date {
  const end = expiresOn.getTime();
  if (policy.windowMode === 'DAYS') return new Date(end - policy.windowDays * 86_400_000);
  return new Date(end - ((end - issuedOn.getTime()) * policy.windowPercent) / 100);
}

/** "the last 30 % of its lifetime" / "the last 14 days before expiry". */
export function describeWindow(policy: Pick<EstPolicyValues, 'windowMode' | 'windowPercent' | 'windowDays'>): string {
  return policy.windowMode === 'DAYS' ? `the last ${policy.windowDays} days before expiry` : `the last ${policy.windowPercent} % of its lifetime`;
}

/** "RSA ≥ 2048, P-256, P-384". */
export function describeKeys(policy: Pick<EstPolicyValues, 'keyTypes' | 'minRsaBits'>): string {
  return policy.keyTypes.map((k) => (k === 'RSA' ? `RSA ≥ ${policy.minRsaBits}` : k)).join(', ');
}

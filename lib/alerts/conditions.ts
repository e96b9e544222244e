import { z } from 'zod';
import type { AlertCondition, AlertSeverity } from '@/lib/generated/prisma/enums';
import { ALERT_CONDITIONS, CONDITION_LABELS, FLAG_ALERT_KINDS, FLAG_KIND_WORDS, HEALTH_ALERT_STATES } from './condition-labels';

/*
 * What an alert rule can watch, in one table: each condition's words, what it is about (its subject),
 * whether it can be scoped to a device group, whether it is a lasting condition (it clears, and the
 * alert resolves itself) or an event (told once, nothing to clear), and its parameters with defaults.
 * Browser-safe, but the rule form gets what it needs of this table from conditionForms() on the server and its
 * choices from condition-labels.ts, so /alerts/rules sends no zod on its first load (issue 12).
 */

export type ConditionKind = 'condition' | 'event';

export interface ConditionInfo {
  label: string;
  /** Completes "Alert when …" (with the condition's own parameters). */
  when: (params: never) => string;
  kind: ConditionKind;
  /** Device-related conditions can be limited to one group; the others are fleet-wide only. */
  groupScoped: boolean;
  severity: AlertSeverity;
  params: z.ZodType;
}

const days = (label: string, max: number) =>
  z.coerce.number({ error: `Enter ${label} in days.` }).int('Use whole days.').min(1, 'At least 1 day.').max(max, `At most ${max} days.`);

export const ExpiringParams = z.object({
  /** Alert when a certificate has this many days left, or fewer. */
  withinDays: days('a number of days', 3650).default(30),
  /**
   * The time before expiry in which a device is expected to renew. A device silent for longer than this
   * (or for longer than its certificate has left) cannot renew in time: the alert escalates.
   */
  renewalWindowDays: days('the renewal window', 365).default(7),
});

export const UnhealthyParams = z.object({
  states: z.array(z.enum(HEALTH_ALERT_STATES)).min(1, 'Choose at least one state.').default(['missing', 'silent']),
});

export const FlaggedParams = z.object({
  kinds: z.array(z.enum(FLAG_ALERT_KINDS)).min(1, 'Choose at least one kind.').default(['revoked', 'unknown', 'shared']),
  /** Readings looked at: received within this many hours. The alert resolves once none is left in the window. */
  lookbackHours: z.coerce.number().int('Use whole hours.').min(1, 'At least 1 hour.').max(168, 'At most 168 hours (a week).').default(24),
});

export const RevocationFailedParams = z.object({
  /** A revocation still pending after this long counts as failed. */
  pendingMinutes: z.coerce.number().int('Use whole minutes.').min(1, 'At least 1 minute.').max(10_080, 'At most a week.').default(30),
});

export const EST_REFUSAL_KINDS = ['policy', 'all'] as const;
export const EstRefusedParams = z.object({
  /** policy: only requests outside their group's EST policy (key, window, rate); all: every refusal (unknown token, revoked certificate, …). */
  refusals: z.enum(EST_REFUSAL_KINDS, { error: 'Choose which refusals to tell.' }).default('policy'),
});

const NoParams = z.object({});

export const CONDITIONS = {
  CERT_EXPIRING: {
    label: CONDITION_LABELS.CERT_EXPIRING,
    when: (p: z.infer<typeof ExpiringParams>) =>
      `a certificate has ${p.withinDays} days or fewer left (escalates when its device has been silent for over ${p.renewalWindowDays} days)`,
    kind: 'condition',
    groupScoped: true,
    severity: 'WARNING',
    params: ExpiringParams,
  },
  REVOCATION_COMPLETED: {
    label: CONDITION_LABELS.REVOCATION_COMPLETED,
    when: () => 'Cloudflare reports a certificate revoked',
    kind: 'event',
    groupScoped: true,
    severity: 'INFO',
    params: NoParams,
  },
  REVOCATION_FAILED: {
    label: CONDITION_LABELS.REVOCATION_FAILED,
    when: (p: z.infer<typeof RevocationFailedParams>) =>
      `the edge still accepts a revoked certificate, or a revocation is pending for over ${p.pendingMinutes} minutes`,
    kind: 'condition',
    groupScoped: true,
    severity: 'CRITICAL',
    params: RevocationFailedParams,
  },
  DEVICE_UNHEALTHY: {
    label: CONDITION_LABELS.DEVICE_UNHEALTHY,
    when: (p: z.infer<typeof UnhealthyParams>) => `a device is ${p.states.join(' or ')}`,
    kind: 'condition',
    groupScoped: true,
    severity: 'WARNING',
    params: UnhealthyParams,
  },
  READINGS_FLAGGED: {
    label: CONDITION_LABELS.READINGS_FLAGGED,
    when: (p: z.infer<typeof FlaggedParams>) =>
      `readings in the last ${p.lookbackHours} h came from ${p.kinds.map((k) => FLAG_KIND_WORDS[k]).join(', or ')}`,
    kind: 'condition',
    groupScoped: true,
    severity: 'CRITICAL',
    params: FlaggedParams,
  },
  RECONCILE_DRIFT: {
    label: CONDITION_LABELS.RECONCILE_DRIFT,
    when: () => 'reconcile finds a certificate missing at Cloudflare, or one issued outside certfleet',
    kind: 'condition',
    groupScoped: true,
    severity: 'WARNING',
    params: NoParams,
  },
  ENFORCEMENT_RED: {
    label: CONDITION_LABELS.ENFORCEMENT_RED,
    when: () => 'a host lets a request without a valid client certificate through',
    kind: 'condition',
    groupScoped: false,
    severity: 'CRITICAL',
    params: NoParams,
  },
  BULK_FINISHED: {
    label: CONDITION_LABELS.BULK_FINISHED,
    when: () => 'a bulk enrollment finishes',
    kind: 'event',
    groupScoped: false,
    severity: 'INFO',
    params: NoParams,
  },
  CLOUDFLARE_LOCKOUT: {
    label: CONDITION_LABELS.CLOUDFLARE_LOCKOUT,
    when: () => "Cloudflare's API locks certfleet out for exceeding its rate limit",
    kind: 'condition',
    groupScoped: false,
    severity: 'CRITICAL',
    params: NoParams,
  },
  EST_REFUSED: {
    label: CONDITION_LABELS.EST_REFUSED,
    when: (p: z.infer<typeof EstRefusedParams>) =>
      p.refusals === 'policy' ? "certfleet refuses a device's EST request that breaks its group's policy" : "certfleet refuses a device's EST request",
    kind: 'event',
    groupScoped: true,
    severity: 'WARNING',
    params: EstRefusedParams,
  },
} as const satisfies Record<AlertCondition, ConditionInfo>;

export type ConditionParams<C extends AlertCondition> = z.infer<(typeof CONDITIONS)[C]['params']>;

/** A rule's stored parameters, read leniently: anything that no longer parses falls back to the defaults. */
export function readParams<C extends AlertCondition>(condition: C, stored: unknown): ConditionParams<C> {
  const schema = CONDITIONS[condition].params as unknown as z.ZodType<ConditionParams<C>>;
  const parsed = schema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** What the rule form needs of a condition; read on the server so the form itself needs no zod. */
export interface ConditionForm {
  kind: ConditionKind;
  groupScoped: boolean;
  /** The parameters a new rule starts with. */
  defaults: Record<string, unknown>;
}

/** Each condition's ConditionForm, for the rule form's page to pass to the form. */
export function conditionForms(): Record<AlertCondition, ConditionForm> {
  return Object.fromEntries(
    ALERT_CONDITIONS.map((c) => [c, { kind: CONDITIONS[c].kind, groupScoped: CONDITIONS[c].groupScoped, defaults: readParams(c, {}) as Record<string, unknown> }]),
  ) as Record<AlertCondition, ConditionForm>;
}

/** "Alert when …" for a rule, in words. */
export function describeRule(condition: AlertCondition, params: unknown): string {
  const when = CONDITIONS[condition].when as (p: ConditionParams<typeof condition>) => string;
  return when(readParams(condition, params));
}

export const SEVERITY_ORDER: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

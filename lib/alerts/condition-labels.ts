import type { AlertCondition } from '@/lib/generated/prisma/enums';

/*
 * Each alert condition's name and the choices of its parameters, without zod: what the Alerts table, its
 * filter and the rule form show. The rest of a condition (its parameters' schema, its words, its kind) is in
 * conditions.ts, which takes these from here.
 */

export const CONDITION_LABELS = {
  CERT_EXPIRING: 'Certificate expiring',
  REVOCATION_COMPLETED: 'Revocation completed',
  REVOCATION_FAILED: 'Revocation failed',
  DEVICE_UNHEALTHY: 'Device late, missing or silent',
  READINGS_FLAGGED: 'Readings that should not exist',
  RECONCILE_DRIFT: 'Drift from Cloudflare',
  ENFORCEMENT_RED: 'mTLS enforcement check red',
  BULK_FINISHED: 'Bulk enrollment finished',
  CLOUDFLARE_LOCKOUT: 'Cloudflare rate-limit lock-out',
  EST_REFUSED: 'EST request refused',
} as const satisfies Record<AlertCondition, string>;

export const ALERT_CONDITIONS = Object.keys(CONDITION_LABELS) as AlertCondition[];

export const HEALTH_ALERT_STATES = ['late', 'missing', 'silent'] as const;
export const FLAG_ALERT_KINDS = ['revoked', 'unknown', 'shared'] as const;

export const FLAG_KIND_WORDS: Record<(typeof FLAG_ALERT_KINDS)[number], string> = {
  revoked: 'a revoked certificate',
  unknown: 'a certificate certfleet has no record of',
  shared: 'one certificate on two devices',
};

import type { AlertCondition } from '@/lib/generated/prisma/enums';

/*
 * Each alert condition's name, without zod: what the Alerts table and its filter show. The rest of a
 * condition (its parameters' schema, its words, its kind) is in conditions.ts, which takes its label from here.
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

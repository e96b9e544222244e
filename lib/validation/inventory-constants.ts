import { CertificateStatus, RevocationReason } from '@/lib/generated/prisma/enums';

/*
 * The inventory's statuses, revocation reasons, filters and their labels: what the Devices and Certificates tables,
 * their filters and the revocation dialog show. No zod, so a page that shows them does not send it; the
 * schemas that check them are in inventory.ts.
 */

export const CERTIFICATE_STATUSES = Object.values(CertificateStatus) as [CertificateStatus, ...CertificateStatus[]];
export const REVOCATION_REASONS = Object.values(RevocationReason) as [RevocationReason, ...RevocationReason[]];

export const REVOCATION_REASON_LABELS: Record<RevocationReason, string> = {
  KEY_COMPROMISE: 'Key compromise',
  DEVICE_LOST: 'Device lost or stolen',
  SUPERSEDED: 'Superseded by a new certificate',
  DECOMMISSIONED: 'Device decommissioned',
  OTHER: 'Other',
};

export const CERTIFICATE_STATUS_LABELS: Record<CertificateStatus, string> = {
  ACTIVE: 'Active',
  PENDING_REVOCATION: 'Pending revocation',
  REVOKED: 'Revoked',
  PENDING_REACTIVATION: 'Pending reactivation',
};

/** When a device last posted a reading: within the last hour/day/week, not for a day or more, never. */
export const LAST_SEEN_FILTERS = ['1h', '24h', '7d', 'stale', 'never'] as const;
export type LastSeenFilter = (typeof LAST_SEEN_FILTERS)[number];
export const LAST_SEEN_LABELS: Record<LastSeenFilter, string> = {
  '1h': 'In the last hour',
  '24h': 'In the last 24 hours',
  '7d': 'In the last 7 days',
  stale: 'Not for 24 hours+',
  never: 'Never',
};

/** A device's status filter is its current certificate's status, or `NONE` when it has none. */
export const DEVICE_CERTIFICATE_FILTERS = [...CERTIFICATE_STATUSES, 'NONE'] as const;
export type DeviceCertificateFilter = (typeof DEVICE_CERTIFICATE_FILTERS)[number];

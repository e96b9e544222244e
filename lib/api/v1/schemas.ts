import { z } from 'zod';
import { ALERT_CONDITIONS } from '@/lib/alerts/condition-labels';
import type { AlertCondition } from '@/lib/generated/prisma/enums';
import { ALERT_SEVERITIES, ALERT_STATES } from '@/lib/validation/alerts-constants';
import { CustomCsrSchema } from '@/lib/validation/custom-csr';
import { CUSTOM_CSR_KEY_TYPES } from '@/lib/validation/custom-csr-constants';
import { REVOCATION_REASONS } from '@/lib/validation/inventory-constants';
import { csrPemSchema, deviceNameSchema, groupSchema, validityDaysSchema } from '@/lib/validation/enrollment';
import { idParam } from '@/lib/validation/route-params';

/*
 * The zod schemas of the versioned REST API (/api/v1). The routes validate with them and
 * lib/api/v1/openapi.ts turns the same objects into the OpenAPI 3.1 document: the document cannot
 * drift from what the routes accept and answer. The readings' schemas are schemas-readings.ts,
 * re-exported here so the routes and the document read one namespace.
 */

export * from './schemas-readings';

const CERT_STATUSES = ['ACTIVE', 'PENDING_REVOCATION', 'REVOKED', 'PENDING_REACTIVATION'] as const;
const CONDITIONS = ALERT_CONDITIONS as [AlertCondition, ...AlertCondition[]];

/** Cursor pagination: `limit` rows after `cursor` (the `nextCursor` of the previous page). */
export const PageQuery = z.object({
  cursor: z.string().max(64, 'Not a cursor of this API.').optional().meta({ description: 'The nextCursor of the previous page.' }),
  limit: z.coerce.number('limit is a number.').int('limit is a whole number.').min(1, 'At least 1.').max(500, 'At most 500.').default(100),
});

export const CertificateListQuery = PageQuery.extend({
  q: z.string().trim().max(200, 'At most 200 characters.').optional().meta({ description: 'A serial, SKI or SHA-256 fingerprint (any case, with or without colons), or part of a device or common name.' }),
  status: z.enum(CERT_STATUSES).optional(),
  expiringWithinDays: z.coerce.number('A number of days.').int('A whole number of days.').min(0, 'At least 0.').max(5475, 'At most 5475 (15 years).').optional().meta({ description: 'Only live certificates that expire within this many days.' }),
});

export const DeviceListQuery = PageQuery.extend({
  q: z.string().trim().max(200, 'At most 200 characters.').optional().meta({ description: 'Part of the device name.' }),
  group: z.string().trim().max(64).optional(),
});

export const AuditListQuery = PageQuery.extend({
  action: z.string().trim().max(100).optional().meta({ description: 'An action, e.g. certificate.revoke.' }),
});

export const IdPath = z.object({ id: idParam });

export const Certificate = z
  .object({
    id: z.string(),
    serialNumber: z.string().meta({ description: 'Uppercase hex, no separators.' }),
    ski: z.string().meta({ description: 'Lowercase hex, no separators.' }),
    fingerprintSha256: z.string().meta({ description: 'Lowercase hex, no separators.' }),
    commonName: z.string(),
    status: z.enum(CERT_STATUSES),
    issuedOn: z.iso.datetime(),
    expiresOn: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    revocationReason: z.string().nullable(),
    device: z.object({ id: z.string(), name: z.string(), group: z.string() }).nullable(),
  })
  .meta({ id: 'Certificate' });

export const CertificateWithPem = Certificate.extend({ pem: z.string().meta({ description: 'The certificate, PEM.' }) }).meta({ id: 'CertificateWithPem' });

export const Device = z
  .object({
    id: z.string(),
    name: z.string(),
    group: z.string(),
    commonName: z.string(),
    status: z.string(),
    lastSeenAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Device' });

export const AuditEvent = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actorEmail: z.string(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    targetLabel: z.string().nullable(),
    reason: z.string().nullable(),
    details: z.unknown().meta({ description: 'What the event recorded; apiToken names the token a change was made with.' }),
  })
  .meta({ id: 'AuditEvent' });

const page = <T extends z.ZodType>(item: T, id: string) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
export const CertificatePage = page(Certificate, 'CertificatePage');
export const DevicePage = page(Device, 'DevicePage');
export const AuditPage = page(AuditEvent, 'AuditPage');

export const RevokeBody = z
  .object({
    reason: z.enum(REVOCATION_REASONS, 'Choose a reason.'),
    note: z.string().trim().max(500, 'Use at most 500 characters.').default(''),
  })
  .superRefine((value, ctx) => {
    if (value.reason === 'OTHER' && !value.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why, when the reason is “Other”.' });
  })
  .meta({ id: 'RevokeBody' });

export const CertificateActionResult = z
  .object({ certificateId: z.string(), label: z.string(), ok: z.boolean(), status: z.enum(CERT_STATUSES).optional(), message: z.string() })
  .meta({ id: 'CertificateActionResult' });

export const EnrollBody = z
  .object({
    name: deviceNameSchema,
    group: groupSchema,
    csrPem: csrPemSchema.meta({ description: 'The device’s CSR (PEM). Its subject CN becomes the certificate’s.' }),
    validityDays: validityDaysSchema.optional(),
  })
  .meta({ id: 'EnrollBody' });

export const Enrolled = z
  .object({ outcome: z.enum(['issued', 'already-issued']), device: z.object({ id: z.string(), name: z.string() }).nullable(), certificate: CertificateWithPem })
  .meta({ id: 'Enrolled' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'One of lib/errors.ts ERROR_CODES, e.g. FORBIDDEN, BAD_INPUT, NOT_FOUND, RATE_LIMITED.' }),
      message: z.string(),
      fields: z.record(z.string(), z.array(z.string())).optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });
/* ------------------------------------------------------------------ devices, renewal */

export const DeviceCertificate = z
  .object({
    id: z.string(),
    serialNumber: z.string(),
    ski: z.string(),
    fingerprintSha256: z.string(),
    status: z.enum(CERT_STATUSES),
    source: z.enum(['ENROLLED', 'BULK', 'RENEWAL', 'SEED', 'RECONCILED', 'CANARY']),
    issuedOn: z.iso.datetime(),
    expiresOn: z.iso.datetime(),
    daysLeft: z.int(),
    revokedAt: z.iso.datetime().nullable(),
    revocationReason: z.enum(REVOCATION_REASONS).nullable(),
    supersededAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'DeviceCertificate' });

export const DeviceDetail = Device.extend({
  tags: z.array(z.string()),
  reportIntervalSec: z.int(),
  lastSeenFingerprint: z.string().nullable(),
  minTemperature: z.number().nullable(),
  maxTemperature: z.number().nullable(),
  currentCertificate: DeviceCertificate.nullable().meta({ description: 'The newest certificate not replaced by a renewal (what a renewal would replace); null when the device has none.' }),
  certificates: z.array(DeviceCertificate).meta({ description: 'All its certificates, live ones first, newest first.' }),
}).meta({ id: 'DeviceDetail' });

export const RenewBody = z
  .object({
    csrPem: csrPemSchema.meta({ description: 'The device’s new CSR (PEM); its CN must be the device’s common name.' }),
    validityDays: validityDaysSchema.optional().meta({ description: 'Default: the replaced certificate’s validity.' }),
    revokeOld: z
      .enum(['now', 'when-seen'], 'revokeOld is now or when-seen.')
      .default('when-seen')
      .meta({ description: 'now: revoke the replaced certificate at once (reason SUPERSEDED); when-seen (default): once the device posts with the new one.' }),
  })
  .meta({ id: 'RenewBody' });

export const Renewed = z
  .object({
    outcome: z.enum(['issued', 'already-issued']),
    certificate: CertificateWithPem,
    replaced: z.object({ id: z.string(), serialNumber: z.string(), revoked: z.boolean(), message: z.string() }).meta({ description: 'What happened to the certificate renewed.' }),
  })
  .meta({ id: 'Renewed' });

/* ------------------------------------------------------------------ custom CSRs */

export const CustomCsrListQuery = PageQuery.extend({
  q: z.string().trim().max(200, 'At most 200 characters.').optional().meta({ description: 'Part of the common name or organization, or a SAN.' }),
  keyType: z.enum(CUSTOM_CSR_KEY_TYPES).optional(),
  inUse: z.enum(['yes', 'no']).optional().meta({ description: 'yes: used by a custom hostname; no: by none.' }),
});

const CustomHostname = z.object({
  id: z.string(),
  cloudflareId: z.string(),
  hostname: z.string(),
  sslStatus: z.string(),
  issuer: z.string().nullable(),
  expiresOn: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const CustomCsr = z
  .object({
    id: z.string(),
    cloudflareId: z.string(),
    commonName: z.string(),
    sans: z.array(z.string()),
    keyType: z.enum(CUSTOM_CSR_KEY_TYPES),
    organization: z.string(),
    country: z.string(),
    createdAt: z.iso.datetime(),
    hostnames: z.array(CustomHostname).meta({ description: 'Custom hostnames that use its key.' }),
  })
  .meta({ id: 'CustomCsr' });

export const CustomCsrDetail = CustomCsr.extend({
  state: z.string(),
  locality: z.string(),
  organizationalUnit: z.string().nullable(),
  csrPem: z.string().meta({ description: 'The CSR, PEM with real newlines (also at …/csr as a file).' }),
  parsed: z
    .object({
      subjectDn: z.string(),
      sans: z.array(z.string()),
      keyType: z.enum(['RSA', 'EC']),
      keySize: z.int(),
      curve: z.string().nullable(),
      signatureAlgorithm: z.string(),
      signatureValid: z.boolean(),
      spkiSha256: z.string(),
    })
    .nullable()
    .meta({ description: 'The PEM read back; null when it cannot be parsed.' }),
}).meta({ id: 'CustomCsrDetail' });

export const CustomCsrPage = page(CustomCsr, 'CustomCsrPage');

/** The create form's own schema (its rules follow Cloudflare's): the key is made at Cloudflare and never leaves it. */
export const CustomCsrBody = CustomCsrSchema.meta({ id: 'CustomCsrBody' });

export const CustomCsrDeleted = z.object({ commonName: z.string() }).meta({ id: 'CustomCsrDeleted' });

/* ------------------------------------------------------------------ alerts */

export const AlertListQuery = PageQuery.extend({
  state: z.enum(['active', 'all', ...ALERT_STATES]).default('active').meta({ description: 'active (default): OPEN or ACKNOWLEDGED; all: every state.' }),
  condition: z.enum(CONDITIONS).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  group: z.string().trim().max(100).optional(),
  q: z.string().trim().max(200, 'At most 200 characters.').optional().meta({ description: 'Part of the subject or summary.' }),
});

export const Alert = z
  .object({
    id: z.string(),
    ruleId: z.string().nullable(),
    ruleName: z.string(),
    condition: z.enum(CONDITIONS),
    subjectType: z.string(),
    subjectId: z.string(),
    subjectLabel: z.string(),
    groupName: z.string().nullable(),
    state: z.enum(ALERT_STATES),
    severity: z.enum(ALERT_SEVERITIES),
    summary: z.string(),
    details: z.unknown(),
    escalation: z.string().nullable(),
    raisedAt: z.iso.datetime(),
    escalatedAt: z.iso.datetime().nullable(),
    acknowledgedAt: z.iso.datetime().nullable(),
    acknowledgedByEmail: z.string().nullable(),
    acknowledgeNote: z.string().nullable(),
    resolvedAt: z.iso.datetime().nullable(),
    resolution: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

export const AlertPage = page(Alert, 'AlertPage');

export const AlertRule = z
  .object({
    id: z.string(),
    name: z.string(),
    condition: z.enum(CONDITIONS),
    group: z.string().nullable(),
    params: z.unknown().meta({ description: 'The condition’s parameters (e.g. days for CERT_EXPIRING).' }),
    enabled: z.boolean(),
    notifyOnResolve: z.boolean(),
    escalateAfterMinutes: z.int().nullable(),
    createdByEmail: z.string(),
    createdAt: z.iso.datetime(),
    channels: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['EMAIL', 'WEBHOOK']), enabled: z.boolean() })),
    openAlerts: z.int(),
    description: z.string(),
  })
  .meta({ id: 'AlertRule' });

export const AlertRuleList = z.object({ items: z.array(AlertRule) }).meta({ id: 'AlertRuleList' });

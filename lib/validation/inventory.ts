import { z } from 'zod';
import type { CertificateStatus } from '@/lib/generated/prisma/enums';
import {
  CERTIFICATE_STATUSES,
  DEVICE_CERTIFICATE_FILTERS,
  type DeviceCertificateFilter,
  LAST_SEEN_FILTERS,
  type LastSeenFilter,
  REVOCATION_REASONS,
} from './inventory-constants';
import { firstParam, parseTableSearch, type RawSearchParams, type TableSearch } from './table-search-params';

/*
 * The URL state of the Devices and Certificates tables and the one schema of a revocation, shared by
 * the dialog, its server action and `POST /api/certificates/:id/revoke`. A hand-edited URL never
 * fails: an unknown filter value is dropped, as `parseTableSearch` does for paging. The lists and labels the
 * browser shows are in inventory-constants.ts (no zod).
 */

/** An expiry band key as a URL carries it; whether the current thresholds have it is the server's call. */
const bandParam = z.string().regex(/^(expired|later|\d{1,4})$/).nullable().catch(null);
const groupParam = z.string().trim().min(1).max(100).nullable().catch(null);
const lastSeenParam = z.enum(LAST_SEEN_FILTERS).nullable().catch(null);

/** A Devices or Certificates table's URL state: paging and sort, the shared filters, and the status filter. */
interface InventorySearch<TSort extends string, TStatus extends string> extends TableSearch<TSort> {
  band: string | null;
  group: string | null;
  lastSeen: LastSeenFilter | null;
  status: TStatus | null;
}

function parseInventorySearch<TSort extends string, TStatus extends string>(
  raw: RawSearchParams,
  options: { sortable: readonly [TSort, ...TSort[]]; defaultSort: TSort; statuses: readonly [TStatus, ...TStatus[]] },
): InventorySearch<TSort, TStatus> {
  return {
    ...parseTableSearch(raw, options),
    band: bandParam.parse(firstParam(raw, 'band') ?? null),
    group: groupParam.parse(firstParam(raw, 'group') ?? null),
    lastSeen: lastSeenParam.parse(firstParam(raw, 'lastSeen') ?? null),
    status: z.enum(options.statuses).nullable().catch(null).parse(firstParam(raw, 'status') ?? null),
  };
}

export const CERTIFICATE_SORTS = ['expiresOn', 'issuedOn', 'device', 'commonName', 'serialNumber', 'status'] as const;
export type CertificateSort = (typeof CERTIFICATE_SORTS)[number];
export type CertificateListSearch = InventorySearch<CertificateSort, CertificateStatus>;

/** The Certificates table's URL state; soonest expiry first by default. */
export function parseCertificateListSearch(raw: RawSearchParams): CertificateListSearch {
  return parseInventorySearch(raw, { sortable: CERTIFICATE_SORTS, defaultSort: 'expiresOn', statuses: CERTIFICATE_STATUSES });
}

export const DEVICE_SORTS = ['name', 'group', 'lastSeenAt', 'expiresOn', 'certificateStatus'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];
export type DeviceListSearch = InventorySearch<DeviceSort, DeviceCertificateFilter>;

/** The Devices table's URL state; by name by default. */
export function parseDeviceListSearch(raw: RawSearchParams): DeviceListSearch {
  return parseInventorySearch(raw, { sortable: DEVICE_SORTS, defaultSort: 'name', statuses: DEVICE_CERTIFICATE_FILTERS });
}

/**
 * A revocation request: which certificates, why, and (for OTHER, required) in whose words. Limited
 * to 500 certificates per request so one click cannot spend the API's whole rate-limit window.
 */
export const RevokeSchema = z
  .object({
    certificateIds: z.array(z.string().trim().min(1).max(64)).min(1, 'Choose at least one certificate.').max(500, 'Revoke at most 500 certificates at a time.'),
    reason: z.enum(REVOCATION_REASONS, 'Choose a reason.'),
    note: z.string().trim().max(500, 'Use at most 500 characters.').default(''),
  })
  .superRefine((value, ctx) => {
    if (value.reason === 'OTHER' && !value.note) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why, when the reason is “Other”.' });
    }
  });

export type RevokeInput = z.infer<typeof RevokeSchema>;
export type RevokeField = 'certificateIds' | 'reason' | 'note';

/** The body of `POST /api/certificates/:id/revoke` (the id comes from the path); the same rules as RevokeSchema. */
export const RevokeOneBodySchema = z
  .object({
    reason: z.enum(REVOCATION_REASONS, 'Choose a reason.'),
    note: z.string().trim().max(500, 'Use at most 500 characters.').default(''),
  })
  .superRefine((value, ctx) => {
    if (value.reason === 'OTHER' && !value.note) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why, when the reason is “Other”.' });
    }
  });

export const AUDIT_SORTS = ['at'] as const;

export interface AuditListSearch extends TableSearch<(typeof AUDIT_SORTS)[number]> {
  action: string | null;
  actor: string | null;
  target: string | null;
  /** Inclusive days (UTC) as YYYY-MM-DD. */
  from: string | null;
  to: string | null;
}

const dayParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)))
  .nullable()
  .catch(null);
const textParam = z.string().trim().min(1).max(200).nullable().catch(null);

/** The audit log's URL state: newest first unless asked otherwise. */
export function parseAuditListSearch(raw: RawSearchParams): AuditListSearch {
  return {
    ...parseTableSearch(raw, { sortable: AUDIT_SORTS, defaultSort: 'at', defaultDir: 'desc', defaultPerPage: 50 }),
    action: z.string().regex(/^[a-z0-9_.:-]{1,100}$/i).nullable().catch(null).parse(firstParam(raw, 'action') ?? null),
    actor: textParam.parse(firstParam(raw, 'actor') ?? null),
    target: textParam.parse(firstParam(raw, 'target') ?? null),
    from: dayParam.parse(firstParam(raw, 'from') ?? null),
    to: dayParam.parse(firstParam(raw, 'to') ?? null),
  };
}

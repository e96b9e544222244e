import 'server-only';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { identifierConditions, parseIdentifierQuery } from '@/lib/data/certificates';
import { findAlertsAfter } from '@/lib/data/alerts';
import { findRules } from '@/lib/data/alert-rules';
import { type CustomCsrDetail as CustomCsrDetailRow, type CustomCsrRow, findCustomCsrsAfter } from '@/lib/data/custom-csrs';
import { getDevice as getDeviceDetail, type DeviceCertificate as DeviceCertificateRow } from '@/lib/data/devices';
import { enrollDevice } from '@/lib/data/enrollment';
import { renewDeviceCertificate } from '@/lib/data/renewal';
import { parseCsrForIssuance } from '@/lib/data/issuance/csr';
import { liveForExpiryWhere } from '@/lib/data/expiry';
import { cursorPage } from '@/lib/data/cursor';
import { db } from '@/lib/db/client';
import type { Prisma } from '@/lib/generated/prisma/client';
import { AppError } from '@/lib/errors';
import { DEFAULT_VALIDITY_DAYS } from '@/lib/validation/enrollment-constants';
import type * as S from './schemas';
import type { AuditListQuery, Certificate, CertificateListQuery, CertificateWithPem, Device, DeviceListQuery, EnrollBody, Enrolled } from './schemas';

/*
 * The data behind /api/v1: the app's own data functions where they fit (enrollment, revocation) and
 * cursor-paged reads. A cursor is the last row's id; rows are ordered by id, so a page boundary never
 * repeats or skips a row however many are added meanwhile.
 */

const certificateSelect = {
  id: true,
  serialNumber: true,
  ski: true,
  fingerprintSha256: true,
  commonName: true,
  status: true,
  issuedOn: true,
  expiresOn: true,
  revokedAt: true,
  revocationReason: true,
  device: { select: { id: true, name: true, group: true } },
} as const satisfies Prisma.CertificateSelect;

type CertificateRow = Prisma.CertificateGetPayload<{ select: typeof certificateSelect }>;

function certificateOut(row: CertificateRow): z.infer<typeof Certificate> {
  return {
    ...row,
    issuedOn: row.issuedOn.toISOString(),
    expiresOn: row.expiresOn.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function listCertificates(actor: SessionUser, query: z.infer<typeof CertificateListQuery>, now = new Date()) {
  assertCan(actor, 'certificate:view');
  const and: Prisma.CertificateWhereInput[] = [];
  if (query.q) {
    const id = parseIdentifierQuery(query.q);
    and.push({
      OR: [
        { commonName: { contains: query.q, mode: 'insensitive' } },
        { device: { name: { contains: query.q, mode: 'insensitive' } } },
        ...(id ? identifierConditions(id) : []),
      ],
    });
  }
  if (query.status) and.push({ status: query.status });
  if (query.expiringWithinDays !== undefined) {
    and.push(liveForExpiryWhere, { expiresOn: { lte: new Date(now.getTime() + query.expiringWithinDays * 86_400_000) } });
  }
  if (query.cursor) and.push({ id: { gt: query.cursor } });
  const rows = await db().certificate.findMany({ where: { AND: and }, select: certificateSelect, orderBy: { id: 'asc' }, take: query.limit + 1 });
  const { rows: page, nextCursor } = cursorPage(rows, query.limit);
  return { items: page.map(certificateOut), nextCursor };
}

export async function getCertificate(actor: SessionUser, id: string): Promise<z.infer<typeof CertificateWithPem>> {
  assertCan(actor, 'certificate:view');
  const row = await db().certificate.findUnique({ where: { id }, select: { ...certificateSelect, pem: true } });
  if (!row) throw new AppError('NOT_FOUND', 'No such certificate.');
  return { ...certificateOut(row), pem: row.pem };
}

export async function listDevices(actor: SessionUser, query: z.infer<typeof DeviceListQuery>) {
  assertCan(actor, 'device:view');
  const and: Prisma.DeviceWhereInput[] = [{ isCanary: false }];
  if (query.q) and.push({ name: { contains: query.q, mode: 'insensitive' } });
  if (query.group) and.push({ group: query.group });
  if (query.cursor) and.push({ id: { gt: query.cursor } });
  const rows = await db().device.findMany({
    where: { AND: and },
    select: { id: true, name: true, group: true, commonName: true, status: true, lastSeenAt: true, createdAt: true },
    orderBy: { id: 'asc' },
    take: query.limit + 1,
  });
  const { rows: page, nextCursor } = cursorPage(rows, query.limit);
  const items: z.infer<typeof Device>[] = page.map((d) => ({ ...d, lastSeenAt: d.lastSeenAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString() }));
  return { items, nextCursor };
}

export async function listAudit(actor: SessionUser, query: z.infer<typeof AuditListQuery>) {
  assertCan(actor, 'audit:view');
  let cursor: bigint | undefined;
  if (query.cursor) {
    if (!/^\d{1,19}$/.test(query.cursor)) throw new AppError('BAD_REQUEST', 'cursor: Not a cursor of this API.');
    cursor = BigInt(query.cursor);
  }
  const rows = await db().auditEvent.findMany({
    where: { ...(query.action ? { action: query.action } : {}), ...(cursor !== undefined ? { id: { lt: cursor } } : {}) },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return {
    items: page.map((e) => ({
      id: String(e.id),
      at: e.at.toISOString(),
      actorEmail: e.actorEmail,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      targetLabel: e.targetLabel,
      reason: e.reason,
      details: e.details ?? null,
    })),
    nextCursor: more ? String(page[page.length - 1]!.id) : null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function deviceCertificateOut(c: DeviceCertificateRow): z.infer<typeof S.DeviceCertificate> {
  return {
    id: c.id,
    serialNumber: c.serialNumber,
    ski: c.ski,
    fingerprintSha256: c.fingerprintSha256,
    status: c.status,
    source: c.source,
    issuedOn: c.issuedOn.toISOString(),
    expiresOn: c.expiresOn.toISOString(),
    daysLeft: c.daysLeft,
    revokedAt: iso(c.revokedAt),
    revocationReason: c.revocationReason,
    supersededAt: iso(c.supersededAt),
  };
}

/** One device (the device page's read) with the certificate a renewal would replace: its newest one not superseded. */
export async function getDevice(actor: SessionUser, id: string): Promise<z.infer<typeof S.DeviceDetail>> {
  const device = await getDeviceDetail(actor, id);
  if (!device) throw new AppError('NOT_FOUND', 'No such device.');
  const current = await db().certificate.findFirst({ where: { deviceId: id, supersededById: null }, orderBy: { issuedOn: 'desc' }, select: { id: true } });
  const certificates = device.certificates.map(deviceCertificateOut);
  return {
    id: device.id,
    name: device.name,
    group: device.group,
    tags: device.tags,
    commonName: device.commonName,
    status: device.status,
    reportIntervalSec: device.reportIntervalSec,
    lastSeenAt: iso(device.lastSeenAt),
    lastSeenFingerprint: device.lastSeenFingerprint,
    minTemperature: device.minTemperature,
    maxTemperature: device.maxTemperature,
    createdAt: device.createdAt.toISOString(),
    currentCertificate: certificates.find((c) => c.id === current?.id) ?? null,
    certificates,
  };
}

/** A request id the issuance code accepts, derived from the caller's Idempotency-Key (the same key: the same issuance). */
function requestIdOf(actor: SessionUser, idempotencyKey: string | null): string {
  return idempotencyKey ? `v1-${createHash('sha256').update(`${actor.id}:${idempotencyKey}`).digest('hex').slice(0, 40)}` : `v1-${crypto.randomUUID()}`;
}

/**
 * Renews a certificate through the renewal wizard's own code (lib/data/renewal.ts): the replacement is
 * issued once per Idempotency-Key, the old one marked superseded and revoked now or once the device is seen
 * with the new one.
 */
export async function renew(
  actor: SessionUser,
  certificateId: string,
  body: z.infer<typeof S.RenewBody>,
  idempotencyKey: string | null,
): Promise<{ status: number; body: z.infer<typeof S.Renewed> }> {
  assertCan(actor, 'certificate:issue');
  const old = await db().certificate.findUnique({ where: { id: certificateId }, select: { id: true, deviceId: true, validityDays: true } });
  if (!old) throw new AppError('NOT_FOUND', 'No such certificate.');
  if (!old.deviceId) throw new AppError('INVALID_STATE', 'This certificate belongs to no device: there is nothing to renew it for.');
  const result = await renewDeviceCertificate(actor, {
    requestId: requestIdOf(actor, idempotencyKey),
    deviceId: old.deviceId,
    replacesCertificateId: old.id,
    validityDays: body.validityDays ?? old.validityDays,
    keySource: 'csr',
    csrPem: body.csrPem,
    revokeOld: body.revokeOld,
  });
  const certificate = await getCertificate(actor, result.certificate.id);
  const issuedNow = result.outcome !== 'already-issued';
  return { status: issuedNow ? 201 : 200, body: { outcome: issuedNow ? 'issued' : 'already-issued', certificate, replaced: result.oldCertificate } };
}

export function customCsrOut(row: CustomCsrRow): z.infer<typeof S.CustomCsr> {
  return {
    id: row.id,
    cloudflareId: row.cloudflareId,
    commonName: row.commonName,
    sans: row.sans,
    keyType: row.keyType,
    organization: row.organization,
    country: row.country,
    createdAt: row.createdAt.toISOString(),
    hostnames: row.hostnames.map((h) => ({ ...h, expiresOn: iso(h.expiresOn), createdAt: h.createdAt.toISOString() })),
  };
}

export function customCsrDetailOut(row: CustomCsrDetailRow): z.infer<typeof S.CustomCsrDetail> {
  return { ...customCsrOut(row), state: row.state, locality: row.locality, organizationalUnit: row.organizationalUnit, csrPem: row.csrPem, parsed: row.parsed };
}

export async function listCustomCsrs(actor: SessionUser, query: z.infer<typeof S.CustomCsrListQuery>) {
  const { rows, nextCursor } = await findCustomCsrsAfter(actor, {
    q: query.q ?? '',
    keyType: query.keyType ?? null,
    inUse: query.inUse === 'yes' ? true : query.inUse === 'no' ? false : null,
    cursor: query.cursor,
    limit: query.limit,
  });
  return { items: rows.map(customCsrOut), nextCursor };
}

export async function listAlerts(actor: SessionUser, query: z.infer<typeof S.AlertListQuery>) {
  const { rows, nextCursor } = await findAlertsAfter(actor, {
    state: query.state,
    condition: query.condition ?? null,
    severity: query.severity ?? null,
    group: query.group || null,
    q: query.q ?? '',
    cursor: query.cursor,
    limit: query.limit,
  });
  const items: z.infer<typeof S.Alert>[] = rows.map((a) => ({
    ...a,
    details: a.details ?? null,
    raisedAt: a.raisedAt.toISOString(),
    escalatedAt: iso(a.escalatedAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedAt: iso(a.resolvedAt),
  }));
  return { items, nextCursor };
}

export async function listAlertRules(actor: SessionUser): Promise<z.infer<typeof S.AlertRuleList>> {
  const rules = await findRules(actor);
  return { items: rules.map((r) => ({ ...r, params: r.params ?? null, createdAt: r.createdAt.toISOString() })) };
}

/**
 * Enrolls a device from its CSR. The issuance request id comes from the caller's Idempotency-Key (or a
 * new one without it), so a retried POST never issues a second certificate.
 */
export async function enroll(actor: SessionUser, body: z.infer<typeof EnrollBody>, idempotencyKey: string | null): Promise<{ status: number; body: z.infer<typeof Enrolled> }> {
  assertCan(actor, 'device:enroll');
  const csr = await parseCsrForIssuance(body.csrPem);
  const commonName = csr.subject.CN?.trim();
  if (!commonName) throw new AppError('BAD_INPUT', 'The CSR has no common name (CN): certfleet names the certificate by it.', { fieldErrors: { csrPem: ['The CSR has no common name (CN).'] } });
  const requestId = requestIdOf(actor, idempotencyKey);
  const result = await enrollDevice(actor, {
    requestId,
    name: body.name,
    group: body.group,
    commonName,
    validityDays: body.validityDays ?? DEFAULT_VALIDITY_DAYS,
    keySource: 'csr',
    csrPem: body.csrPem,
  }, { csr });
  const certificate = await getCertificate(actor, result.certificate.id);
  const issuedNow = result.outcome !== 'already-issued';
  return {
    status: issuedNow ? 201 : 200,
    body: { outcome: issuedNow ? 'issued' : 'already-issued', device: result.device ? { id: result.device.id, name: result.device.name } : null, certificate },
  };
}

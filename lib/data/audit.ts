import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AuditListSearch } from '@/lib/validation/inventory';
import { pageWindow } from '@/lib/validation/table-search-params';

/*
 * Reads of the audit log. It is append-only (a trigger in the init migration refuses UPDATE, DELETE
 * and TRUNCATE), and nothing here or on its page offers to change an event.
 */

export interface AuditRow {
  /** The bigint id as a string: it crosses to the browser, which has no BigInt in JSON. */
  id: string;
  at: Date;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  targetLabel: string | null;
  reason: string | null;
  /** The details object as compact JSON, or null. */
  details: string | null;
}

type AuditEventRecord = Prisma.AuditEventGetPayload<object>;

function toRow(event: AuditEventRecord): AuditRow {
  return {
    id: event.id.toString(),
    at: event.at,
    actorEmail: event.actorEmail,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    targetLabel: event.targetLabel,
    reason: event.reason,
    details: event.details === null || event.details === undefined ? null : JSON.stringify(event.details),
  };
}

const DAY_MS = 86_400_000;

/** The filters of the audit page as a `where`: action exact, actor and target as fragments, days inclusive (UTC). */
export function auditWhere(search: AuditListSearch): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (search.action) and.push({ action: search.action });
  if (search.actor) and.push({ actorEmail: { contains: search.actor, mode: 'insensitive' } });
  if (search.target) {
    and.push({
      OR: [
        { targetLabel: { contains: search.target, mode: 'insensitive' } },
        { targetId: search.target },
        { targetType: { equals: search.target, mode: 'insensitive' } },
      ],
    });
  }
  if (search.q) {
    and.push({
      OR: [
        { action: { contains: search.q, mode: 'insensitive' } },
        { actorEmail: { contains: search.q, mode: 'insensitive' } },
        { targetLabel: { contains: search.q, mode: 'insensitive' } },
        { reason: { contains: search.q, mode: 'insensitive' } },
      ],
    });
  }
  if (search.from) and.push({ at: { gte: new Date(`${search.from}T00:00:00.000Z`) } });
  if (search.to) and.push({ at: { lt: new Date(new Date(`${search.to}T00:00:00.000Z`).getTime() + DAY_MS) } });
  return and.length ? { AND: and } : {};
}

/** One page of the audit log, filtered, sorted and paged in SQL. */
export async function findAuditEvents(actor: SessionUser, search: AuditListSearch): Promise<{ rows: AuditRow[]; total: number }> {
  assertCan(actor, 'audit:view');
  const where = auditWhere(search);
  const [events, total] = await Promise.all([
    db().auditEvent.findMany({ where, orderBy: [{ at: search.dir }, { id: search.dir }], ...pageWindow(search) }),
    db().auditEvent.count({ where }),
  ]);
  return { rows: events.map(toRow), total };
}

/** Every action name the log holds, for the action filter. */
export async function listAuditActions(actor: SessionUser): Promise<string[]> {
  assertCan(actor, 'audit:view');
  const rows = await db().auditEvent.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } });
  return rows.map((r) => r.action);
}

/**
 * The trail of one device: events about the device and about any of its certificates, newest
 * first (the latest `limit`).
 */
export async function findDeviceAuditTrail(actor: SessionUser, deviceId: string, certificateIds: readonly string[], limit = 50): Promise<AuditRow[]> {
  assertCan(actor, 'audit:view');
  const events = await db().auditEvent.findMany({
    where: {
      OR: [
        { targetType: 'device', targetId: deviceId },
        ...(certificateIds.length ? [{ targetType: 'certificate', targetId: { in: [...certificateIds] } }] : []),
      ],
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return events.map(toRow);
}

/** The trail of one certificate, newest first. */
export async function findCertificateAuditTrail(actor: SessionUser, certificateId: string, limit = 50): Promise<AuditRow[]> {
  assertCan(actor, 'audit:view');
  const events = await db().auditEvent.findMany({
    where: { targetType: 'certificate', targetId: certificateId },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return events.map(toRow);
}

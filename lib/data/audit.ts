import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import type { AuditListSearch } from '@/lib/validation/inventory';
import { pageWindow } from '@/lib/validation/table-search-params';
import { boundedCount, containsPattern, type ListTotal } from './counting';

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

/** An audit search with, besides the page's one action, possibly a list of them (any of). */
export type AuditSearch = AuditListSearch & { actions?: readonly string[] };

/** The same filters as `auditWhere`, in SQL over `"AuditEvent" AS a`, for one action (or none). */
function auditConditions(search: AuditListSearch, action: string | null): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (action) parts.push(Prisma.sql`a.action = ${action}`);
  if (search.actor) parts.push(Prisma.sql`a."actorEmail" ILIKE ${containsPattern(search.actor)}`);
  if (search.target) {
    parts.push(Prisma.sql`(a."targetLabel" ILIKE ${containsPattern(search.target)} OR a."targetId" = ${search.target} OR lower(a."targetType") = lower(${search.target}))`);
  }
  if (search.q) {
    const p = containsPattern(search.q);
    parts.push(Prisma.sql`(a.action ILIKE ${p} OR a."actorEmail" ILIKE ${p} OR a."targetLabel" ILIKE ${p} OR a.reason ILIKE ${p})`);
  }
  if (search.from) parts.push(Prisma.sql`a.at >= ${`${search.from}T00:00:00.000Z`}::timestamptz AT TIME ZONE 'UTC'`);
  if (search.to) parts.push(Prisma.sql`a.at < (${`${search.to}T00:00:00.000Z`}::timestamptz AT TIME ZONE 'UTC') + interval '1 day'`);
  return Prisma.join(parts, ' AND ');
}

/** An `AuditRow` as the query returns it: the bigint id and the details still raw. */
type AuditSqlRow = Omit<AuditRow, 'id' | 'details'> & { id: bigint; details: unknown };

/**
 * One page of the audit log, filtered, sorted and paged in SQL. Each action asked for is read from the
 * ("action", at, id) index in order and the lists merged, so a filter on several actions costs a page per
 * action, not every matching row; the total is exact up to EXACT_COUNT_CAP, else an estimate.
 */
export async function findAuditEvents(actor: SessionUser, search: AuditSearch): Promise<{ rows: AuditRow[]; beyondEnd: boolean } & ListTotal> {
  assertCan(actor, 'audit:view');
  const actions = [...new Set([...(search.action ? [search.action] : []), ...(search.actions ?? [])])];
  const dir = Prisma.raw(search.dir === 'asc' ? 'ASC' : 'DESC');
  const { skip, take } = pageWindow(search);
  const branch = (action: string | null) =>
    Prisma.sql`(SELECT a.* FROM "AuditEvent" AS a WHERE ${auditConditions(search, action)} ORDER BY a.at ${dir}, a.id ${dir} LIMIT ${skip + take})`;
  const branches = actions.length ? actions.map(branch) : [branch(null)];
  const countFrom = actions.length
    ? Prisma.sql`FROM "AuditEvent" AS a WHERE a.action IN (${Prisma.join(actions)}) AND ${auditConditions(search, null)}`
    : Prisma.sql`FROM "AuditEvent" AS a WHERE ${auditConditions(search, null)}`;
  const [events, total] = await Promise.all([
    db().$queryRaw<AuditSqlRow[]>`
      SELECT * FROM (${Prisma.join(branches, ' UNION ALL ')}) AS a
       ORDER BY a.at ${dir}, a.id ${dir} LIMIT ${take} OFFSET ${skip}`,
    boundedCount(countFrom),
  ]);
  return { rows: events.map((e) => toRow(e as AuditEventRecord)), ...total, beyondEnd: events.length === 0 && skip > 0 };
}

/**
 * Every action name the log holds, for the action filter: one probe of the ("action", at, id) index per name (a
 * loose index scan), not a pass over the log (Prisma's `distinct` reads every row and de-duplicates in Node: 20 s
 * for the audit page at 1,000,000 events, bench/browse.ts).
 */
export async function listAuditActions(actor: SessionUser): Promise<string[]> {
  assertCan(actor, 'audit:view');
  const rows = await db().$queryRaw<{ action: string }[]>`
    WITH RECURSIVE names(action) AS (
      (SELECT action FROM "AuditEvent" ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT a.action FROM "AuditEvent" AS a WHERE a.action > names.action ORDER BY a.action LIMIT 1) FROM names WHERE names.action IS NOT NULL
    )
    SELECT action FROM names WHERE action IS NOT NULL`;
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

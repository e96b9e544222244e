import 'server-only';
import type { AlertForMessage } from '@/lib/alerts/message';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { afterCursor, cursorPage } from './cursor';
import { tablePage } from './table-page';
import { AppError } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { DeliveryEvent, DeliveryStatus } from '@/lib/generated/prisma/enums';
import type { AlertListSearch } from '@/lib/validation/alerts';
import { fleetGroups } from './fleet-groups';

/*
 * The Alerts screens' reads and the one write people make on an alert: acknowledging it. Rules and
 * channels are in alert-rules.ts and alert-channels.ts. Every function checks its permission first.
 */

/** A rule about one field of the rule or channel forms, shown beside that field. */
export function badInput(field: string, message: string): AppError<'BAD_INPUT'> {
  return new AppError('BAD_INPUT', message, { fieldErrors: { [field]: [message] } });
}

/** An alert as the pages show it: what its messages carry, and the note of whoever acknowledged it. */
export interface AlertRow extends AlertForMessage {
  acknowledgeNote: string | null;
}

const alertRowSelect = {
  id: true,
  ruleId: true,
  ruleName: true,
  condition: true,
  subjectType: true,
  subjectId: true,
  subjectLabel: true,
  groupName: true,
  state: true,
  severity: true,
  summary: true,
  details: true,
  escalation: true,
  raisedAt: true,
  escalatedAt: true,
  acknowledgedAt: true,
  acknowledgedByEmail: true,
  acknowledgeNote: true,
  resolvedAt: true,
  resolution: true,
} as const;

type AlertFilter = Pick<AlertListSearch, 'state' | 'condition' | 'severity' | 'group' | 'q'>;

function whereOf(search: AlertFilter): Prisma.AlertWhereInput {
  return {
    ...(search.state === 'active' ? { state: { in: ['OPEN', 'ACKNOWLEDGED'] } } : search.state === 'all' ? {} : { state: search.state }),
    ...(search.condition ? { condition: search.condition } : {}),
    ...(search.severity ? { severity: search.severity } : {}),
    ...(search.group ? { groupName: search.group } : {}),
    ...(search.q
      ? { OR: [{ subjectLabel: { contains: search.q, mode: 'insensitive' } }, { summary: { contains: search.q, mode: 'insensitive' } }] }
      : {}),
  };
}

/** One page of alerts, filtered and sorted in SQL (most recent first by default). */
export async function findAlerts(actor: SessionUser, search: AlertListSearch): Promise<{ rows: AlertRow[]; total: number }> {
  assertCan(actor, 'alerts:view');
  const where = whereOf(search);
  return tablePage(search, (page) => db().alert.findMany({ where, select: alertRowSelect, ...page }), () => db().alert.count({ where }), [{ raisedAt: 'desc' }]);
}

/** The same filters, cursor-paged for the REST API: `limit` alerts with an id after `cursor`, by id. */
export async function findAlertsAfter(actor: SessionUser, search: AlertFilter & { cursor?: string; limit: number }): Promise<{ rows: AlertRow[]; nextCursor: string | null }> {
  assertCan(actor, 'alerts:view');
  const rows = await db().alert.findMany({ where: { AND: [whereOf(search), ...afterCursor(search.cursor)] }, select: alertRowSelect, orderBy: { id: 'asc' }, take: search.limit + 1 });
  return cursorPage(rows, search.limit);
}

/** For the bell: alerts nobody has acknowledged yet, and how many of them are critical. */
export async function countOpenAlerts(actor: SessionUser): Promise<{ open: number; critical: number }> {
  assertCan(actor, 'alerts:view');
  const rows = await db().alert.groupBy({ by: ['severity'], where: { state: 'OPEN' }, _count: { _all: true } });
  const open = rows.reduce((n, r) => n + r._count._all, 0);
  const critical = rows.find((r) => r.severity === 'CRITICAL')?._count._all ?? 0;
  return { open, critical };
}

/** The groups alerts were raised in, for the filter. */
export async function findAlertGroups(actor: SessionUser): Promise<string[]> {
  assertCan(actor, 'alerts:view');
  return fleetGroups();
}

export interface DeliveryLogRow {
  id: string;
  channelId: string | null;
  channelName: string;
  event: DeliveryEvent;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
  log: { number: number; startedAt: Date; finishedAt: Date | null; outcome: string | null; statusCode: number | null; error: string | null; durationMs: number | null }[];
}

export const deliveryLogSelect = {
  id: true,
  channelId: true,
  channelName: true,
  event: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  sentAt: true,
  createdAt: true,
  log: {
    select: { number: true, startedAt: true, finishedAt: true, outcome: true, statusCode: true, error: true, durationMs: true },
    orderBy: { number: 'asc' },
  },
} as const;

/** One alert with its delivery log (each channel and event, every attempt), or null. */
export async function getAlert(actor: SessionUser, id: string): Promise<(AlertRow & { deliveries: DeliveryLogRow[] }) | null> {
  assertCan(actor, 'alerts:view');
  return db().alert.findUnique({
    where: { id },
    select: { ...alertRowSelect, deliveries: { select: deliveryLogSelect, orderBy: [{ createdAt: 'asc' }, { channelName: 'asc' }] } },
  });
}

/**
 * SUPPORT and ADMIN: acknowledge an open alert with an optional note ("someone is on it"). It stays
 * until its condition clears; escalation by time stops. Audited.
 */
export async function acknowledgeAlert(actor: SessionUser, input: { id: string; note: string }): Promise<AlertRow> {
  assertCan(actor, 'alerts:acknowledge');
  return db().$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: input.id }, select: { id: true, state: true, summary: true, acknowledgedByEmail: true } });
    if (!alert) throw new AppError('NOT_FOUND', 'No such alert.');
    if (alert.state === 'ACKNOWLEDGED') throw new AppError('INVALID_STATE', `Already acknowledged by ${alert.acknowledgedByEmail ?? 'someone'}.`);
    if (alert.state === 'RESOLVED') throw new AppError('INVALID_STATE', 'This alert is resolved: nothing to acknowledge.');
    // Only an alert still open changes; a concurrent acknowledgement or resolution wins cleanly.
    const changed = await tx.alert.updateMany({
      where: { id: alert.id, state: 'OPEN' },
      data: { state: 'ACKNOWLEDGED', acknowledgedAt: new Date(), acknowledgedById: actor.id, acknowledgedByEmail: actor.email, acknowledgeNote: input.note || null },
    });
    if (changed.count !== 1) throw new AppError('CONFLICT', 'The alert changed meanwhile: reload and look again.');
    await recordAudit(tx, {
      actor,
      action: 'alert.acknowledge',
      targetType: 'alert',
      targetId: alert.id,
      targetLabel: alert.summary.slice(0, 200),
      reason: input.note || null,
    });
    return tx.alert.findUniqueOrThrow({ where: { id: alert.id }, select: alertRowSelect });
  });
}

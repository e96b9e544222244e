import 'server-only';
import { CONDITIONS, describeRule } from '@/lib/alerts/conditions';
import { evaluateAlertRules } from '@/lib/alerts/evaluate';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AlertCondition } from '@/lib/generated/prisma/enums';
import type { RuleFormInput } from '@/lib/validation/alerts';
import { badInput } from './alerts';

/*
 * Alert rules (ADMIN): what to watch, for which group, told to which channels. A saved rule is
 * evaluated at once, so its alerts (and messages) do not wait for the next evaluation job. Disabling or
 * deleting a rule resolves its standing alerts without telling anyone ("rule disabled").
 */

export interface RuleRow {
  id: string;
  name: string;
  condition: AlertCondition;
  group: string | null;
  params: unknown;
  enabled: boolean;
  notifyOnResolve: boolean;
  escalateAfterMinutes: number | null;
  createdByEmail: string;
  createdAt: Date;
  channels: { id: string; name: string; kind: 'EMAIL' | 'WEBHOOK'; enabled: boolean }[];
  openAlerts: number;
  description: string;
}

export async function findRules(actor: SessionUser): Promise<RuleRow[]> {
  assertCan(actor, 'alerts:configure');
  const rules = await db().alertRule.findMany({
    orderBy: [{ createdAt: 'asc' }],
    include: {
      channels: { select: { channel: { select: { id: true, name: true, kind: true, enabled: true } } } },
      _count: { select: { alerts: { where: { state: { in: ['OPEN', 'ACKNOWLEDGED'] } } } } },
    },
  });
  return rules.map((r) => ({
    id: r.id,
    name: r.name,
    condition: r.condition,
    group: r.group,
    params: r.params,
    enabled: r.enabled,
    notifyOnResolve: r.notifyOnResolve,
    escalateAfterMinutes: r.escalateAfterMinutes,
    createdByEmail: r.createdByEmail,
    createdAt: r.createdAt,
    channels: r.channels.map((c) => c.channel).sort((a, b) => a.name.localeCompare(b.name)),
    openAlerts: r._count.alerts,
    description: describeRule(r.condition, r.params),
  }));
}

async function checkReferences(tx: Prisma.TransactionClient, input: RuleFormInput): Promise<void> {
  if (input.group !== null) {
    if (!CONDITIONS[input.condition].groupScoped) {
      throw badInput('group', `"${CONDITIONS[input.condition].label}" is fleet-wide: it cannot be limited to a group.`);
    }
    const members = await tx.device.count({ where: { group: input.group, isCanary: false } });
    if (members === 0) throw badInput('group', `No device is in group "${input.group}".`);
  }
  const channels = await tx.alertChannel.count({ where: { id: { in: input.channelIds } } });
  if (channels !== new Set(input.channelIds).size) throw badInput('channelIds', 'A chosen channel no longer exists: reload the page.');
}

function auditDetails(input: RuleFormInput): Prisma.InputJsonObject {
  return {
    condition: input.condition,
    group: input.group,
    params: input.params as Prisma.InputJsonObject,
    channelIds: input.channelIds,
    enabled: input.enabled,
    notifyOnResolve: input.notifyOnResolve,
    escalateAfterMinutes: input.escalateAfterMinutes,
  };
}

export interface RuleSaved {
  id: string;
  name: string;
  /** What the immediate evaluation did (null when it failed; the evaluation job tries again). */
  evaluation: { raised: number; resolved: number } | null;
}

async function evaluateNow(id: string): Promise<RuleSaved['evaluation']> {
  try {
    const s = await evaluateAlertRules(db(), { ruleIds: [id] });
    return s.errors.length ? null : { raised: s.raised, resolved: s.resolved };
  } catch {
    return null;
  }
}

export async function createRule(actor: SessionUser, input: RuleFormInput): Promise<RuleSaved> {
  assertCan(actor, 'alerts:configure');
  const rule = await db().$transaction(async (tx) => {
    await checkReferences(tx, input);
    const created = await tx.alertRule.create({
      data: {
        name: input.name,
        condition: input.condition,
        group: input.group,
        params: input.params as Prisma.InputJsonObject,
        enabled: input.enabled,
        notifyOnResolve: input.notifyOnResolve,
        escalateAfterMinutes: input.escalateAfterMinutes,
        createdByEmail: actor.email,
        channels: { create: [...new Set(input.channelIds)].map((channelId) => ({ channelId })) },
      },
      select: { id: true, name: true },
    });
    await recordAudit(tx, { actor, action: 'alert_rule.create', targetType: 'alert_rule', targetId: created.id, targetLabel: created.name, details: auditDetails(input) });
    return created;
  });
  return { ...rule, evaluation: input.enabled ? await evaluateNow(rule.id) : null };
}

/** The condition of a rule stays what it was created as (its alerts are about it); everything else may change. */
export async function updateRule(actor: SessionUser, id: string, input: RuleFormInput): Promise<RuleSaved> {
  assertCan(actor, 'alerts:configure');
  const rule = await db().$transaction(async (tx) => {
    const before = await tx.alertRule.findUnique({ where: { id }, include: { channels: { select: { channelId: true } } } });
    if (!before) throw new AppError('NOT_FOUND', 'No such rule.');
    if (before.condition !== input.condition) {
      throw badInput('condition', 'A rule keeps its condition: make a new rule for another one.');
    }
    await checkReferences(tx, input);
    const updated = await tx.alertRule.update({
      where: { id },
      data: {
        name: input.name,
        group: input.group,
        params: input.params as Prisma.InputJsonObject,
        enabled: input.enabled,
        notifyOnResolve: input.notifyOnResolve,
        escalateAfterMinutes: input.escalateAfterMinutes,
        channels: { deleteMany: {}, create: [...new Set(input.channelIds)].map((channelId) => ({ channelId })) },
      },
      select: { id: true, name: true },
    });
    if (before.enabled && !input.enabled) await resolveStanding(tx, id, 'rule disabled');
    await recordAudit(tx, {
      actor,
      action: 'alert_rule.update',
      targetType: 'alert_rule',
      targetId: id,
      targetLabel: updated.name,
      details: {
        before: {
          name: before.name,
          group: before.group,
          params: before.params as Prisma.InputJsonObject,
          channelIds: before.channels.map((c) => c.channelId),
          enabled: before.enabled,
          notifyOnResolve: before.notifyOnResolve,
          escalateAfterMinutes: before.escalateAfterMinutes,
        },
        after: { name: input.name, ...auditDetails(input) },
      },
    });
    return updated;
  });
  return { ...rule, evaluation: input.enabled ? await evaluateNow(rule.id) : null };
}

export async function deleteRule(actor: SessionUser, id: string): Promise<{ name: string }> {
  assertCan(actor, 'alerts:configure');
  return db().$transaction(async (tx) => {
    const rule = await tx.alertRule.findUnique({ where: { id }, select: { id: true, name: true, condition: true, group: true } });
    if (!rule) throw new AppError('NOT_FOUND', 'No such rule.');
    const resolved = await resolveStanding(tx, id, 'rule deleted');
    // Its alerts stay, with their history and deliveries (ruleId becomes null; ruleName remains).
    await tx.alertRule.delete({ where: { id } });
    await recordAudit(tx, {
      actor,
      action: 'alert_rule.delete',
      targetType: 'alert_rule',
      targetId: id,
      targetLabel: rule.name,
      details: { condition: rule.condition, group: rule.group, resolvedAlerts: resolved },
    });
    return { name: rule.name };
  });
}

async function resolveStanding(tx: Prisma.TransactionClient, ruleId: string, resolution: string): Promise<number> {
  const { count } = await tx.alert.updateMany({
    where: { ruleId, state: { in: ['OPEN', 'ACKNOWLEDGED'] } },
    data: { state: 'RESOLVED', resolvedAt: new Date(), resolution, dedupeKey: null },
  });
  return count;
}

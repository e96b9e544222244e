import type { AlertCondition, AlertRule } from '@/lib/generated/prisma/client';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { CONDITIONS, readParams } from './conditions';
import * as match from './matchers';

/*
 * Evaluation: for each enabled rule, one SQL statement (in a transaction holding the rule's advisory
 * lock) takes the subjects matching the rule's condition now and, against the rule's standing alerts:
 *
 *   - raises an alert for each new subject (INSERT … ON CONFLICT (dedupeKey) DO NOTHING: a
 *     re-evaluation, or two evaluators at once, never raise a second one);
 *   - refreshes the summary of the standing ones and escalates those that now need a person;
 *   - resolves the ones whose subject no longer matches (clearing dedupeKey, so a recurrence is new);
 *   - escalates open alerts nobody acknowledged within the rule's `escalateAfterMinutes`;
 *   - writes one delivery per alert, channel and event (RAISED / ESCALATED / RESOLVED) in the same
 *     statement, so an alert never exists without its deliveries: a crash after the commit loses
 *     nothing (the delivery job sends them), a crash before it changes nothing.
 *
 * Event conditions (a revocation completed, a bulk job finished) are raised already resolved: they are
 * told once (their dedupeKey stays) and need no acknowledgement.
 */

export interface EvaluationSummary {
  rules: number;
  raised: number;
  escalated: number;
  resolved: number;
  deliveries: number;
  /** Rules that failed to evaluate, with why (the others still ran). */
  errors: string[];
  summary: string;
}

export interface RuleEvaluation {
  raised: number;
  escalated: number;
  resolved: number;
  deliveries: number;
}

type Rule = Pick<AlertRule, 'id' | 'name' | 'condition' | 'group' | 'params' | 'enabled' | 'notifyOnResolve' | 'escalateAfterMinutes' | 'createdAt' | 'lastEvaluatedAt'>;

/** How far before the last evaluation event conditions look again (late commits, clocks apart). */
const EVENT_MARGIN_MS = 3_600_000;

/**
 * Evaluates every enabled rule (or those in `ruleIds`), each on its own: one failing does not stop the rest.
 * Up to `concurrency` (default 3) side by side, each in its own transaction; on PGlite they simply queue.
 */
export async function evaluateAlertRules(prisma: PrismaClient, opts: { now?: Date; ruleIds?: string[]; concurrency?: number } = {}): Promise<EvaluationSummary> {
  const rules = await prisma.alertRule.findMany({
    where: { enabled: true, ...(opts.ruleIds ? { id: { in: opts.ruleIds } } : {}) },
    orderBy: { createdAt: 'asc' },
  });
  const total: EvaluationSummary = { rules: rules.length, raised: 0, escalated: 0, resolved: 0, deliveries: 0, errors: [], summary: '' };
  const now = opts.now ?? new Date();
  let next = 0;
  const lane = async () => {
    while (next < rules.length) {
      const rule = rules[next++]!;
      try {
        const r = await evaluateRule(prisma, rule, now);
        total.raised += r.raised;
        total.escalated += r.escalated;
        total.resolved += r.resolved;
        total.deliveries += r.deliveries;
      } catch (error) {
        total.errors.push(`${rule.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 3, rules.length) }, lane));
  total.summary = `${total.raised} raised, ${total.escalated} escalated, ${total.resolved} resolved, ${total.deliveries} messages queued over ${total.rules} rules${
    total.errors.length ? `; failed: ${total.errors.join('; ')}` : ''
  }`;
  if (total.errors.length && total.errors.length === rules.length) throw new Error(total.summary);
  return total;
}

async function matcherSql(prisma: PrismaClient, rule: Rule, now: Date): Promise<Prisma.Sql> {
  const ctx: match.MatchContext = {
    now,
    group: CONDITIONS[rule.condition].groupScoped ? rule.group : null,
    ruleCreatedAt: rule.createdAt,
    changedSince: rule.lastEvaluatedAt ? new Date(rule.lastEvaluatedAt.getTime() - EVENT_MARGIN_MS) : null,
  };
  const c: AlertCondition = rule.condition;
  switch (c) {
    case 'CERT_EXPIRING':
      return match.certExpiring(ctx, readParams(c, rule.params));
    case 'REVOCATION_COMPLETED':
      return match.revocationCompleted(ctx);
    case 'REVOCATION_FAILED':
      return match.revocationFailed(ctx, readParams(c, rule.params));
    case 'DEVICE_UNHEALTHY':
      return match.deviceUnhealthy(ctx, readParams(c, rule.params));
    case 'READINGS_FLAGGED':
      return match.readingsFlagged(prisma, ctx, readParams(c, rule.params));
    case 'RECONCILE_DRIFT':
      return match.reconcileDrift(ctx);
    case 'ENFORCEMENT_RED':
      return match.enforcementRed(ctx);
    case 'BULK_FINISHED':
      return match.bulkFinished(ctx);
    case 'CLOUDFLARE_LOCKOUT':
      return match.cloudflareLockout(prisma, ctx);
    case 'EST_REFUSED':
      return match.estRefused(ctx, readParams(c, rule.params));
  }
}

/** One rule, one statement; see the file comment. */
export async function evaluateRule(prisma: PrismaClient, rule: Rule, now: Date = new Date()): Promise<RuleEvaluation> {
  const matches = await matcherSql(prisma, rule, now);
  const event = CONDITIONS[rule.condition].kind === 'event';
  const at = Prisma.sql`${now.toISOString()}::timestamp`;
  const escalateBefore = rule.escalateAfterMinutes ? new Date(now.getTime() - rule.escalateAfterMinutes * 60_000) : null;
  const sql = Prisma.sql`
    WITH m AS MATERIALIZED (${matches}),
    k AS (
      SELECT DISTINCT ON (key) m.*, key FROM m,
             LATERAL (SELECT ${rule.id} || ':' || m.subject_type || ':' || m.subject_id || COALESCE(':' || m.occurrence, '') AS key) kk
    ),
    ins AS (
      INSERT INTO "Alert" (id, "ruleId", "ruleName", condition, "subjectType", "subjectId", "subjectLabel", "groupName", state, severity,
                           summary, details, "dedupeKey", "raisedAt", "escalatedAt", escalation, "resolvedAt", resolution, "updatedAt")
      SELECT gen_random_uuid()::text, ${rule.id}, ${rule.name}, ${rule.condition}::"AlertCondition", k.subject_type, k.subject_id, k.subject_label,
             k.group_name, ${event ? 'RESOLVED' : 'OPEN'}::"AlertState", k.severity::"AlertSeverity", k.summary, k.details, k.key, ${at},
             CASE WHEN k.escalation IS NOT NULL THEN ${at} END, k.escalation,
             ${event ? at : Prisma.sql`NULL::timestamp`}, ${event ? 'event: nothing to clear' : null}, ${at}
        FROM k
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING id
    ),
    upd AS (
      UPDATE "Alert" a
         SET summary = k.summary, severity = k.severity::"AlertSeverity", "subjectLabel" = k.subject_label, details = k.details,
             "escalatedAt" = COALESCE(a."escalatedAt", CASE WHEN k.escalation IS NOT NULL THEN ${at} END),
             escalation = COALESCE(a.escalation, k.escalation), "updatedAt" = ${at}
        FROM k
       WHERE a."dedupeKey" = k.key AND a.state <> 'RESOLVED'
         AND (a.summary IS DISTINCT FROM k.summary OR a.severity::text IS DISTINCT FROM k.severity
              OR a."subjectLabel" IS DISTINCT FROM k.subject_label OR (a."escalatedAt" IS NULL AND k.escalation IS NOT NULL))
      RETURNING a.id, (a."escalatedAt" = ${at} AND a."raisedAt" <> ${at}) AS newly_escalated
    ),
    late AS (
      UPDATE "Alert" a
         SET "escalatedAt" = ${at}, "updatedAt" = ${at},
             escalation = 'Open for ' || ${rule.escalateAfterMinutes ?? 0}::int || ' min and nobody has acknowledged it.'
       WHERE ${escalateBefore ? Prisma.sql`TRUE` : Prisma.sql`FALSE`} AND a."ruleId" = ${rule.id} AND a.state = 'OPEN'
         AND a."escalatedAt" IS NULL AND a."raisedAt" < ${(escalateBefore ?? now).toISOString()}::timestamp
         AND EXISTS (SELECT 1 FROM k WHERE k.key = a."dedupeKey") AND NOT EXISTS (SELECT 1 FROM upd WHERE upd.id = a.id)
      RETURNING a.id
    ),
    res AS (
      UPDATE "Alert" a
         SET state = 'RESOLVED', "resolvedAt" = ${at}, resolution = 'condition cleared', "dedupeKey" = NULL, "updatedAt" = ${at}
       WHERE a."ruleId" = ${rule.id} AND a.state <> 'RESOLVED' AND NOT EXISTS (SELECT 1 FROM k WHERE k.key = a."dedupeKey")
      RETURNING a.id
    ),
    events AS (
      SELECT id AS alert_id, 'RAISED' AS event FROM ins
      UNION ALL SELECT id, 'ESCALATED' FROM upd WHERE newly_escalated
      UNION ALL SELECT id, 'ESCALATED' FROM late
      UNION ALL SELECT id, 'RESOLVED' FROM res WHERE ${rule.notifyOnResolve}
    ),
    sent AS (
      INSERT INTO "AlertDelivery" (id, "alertId", "channelId", "channelName", event, "dedupeKey", status, "nextAttemptAt", "createdAt", "updatedAt")
      SELECT gen_random_uuid()::text, e.alert_id, ch.id, ch.name, e.event::"DeliveryEvent", e.alert_id || ':' || ch.id || ':' || e.event,
             (CASE WHEN ch.digest THEN 'BATCHED' ELSE 'PENDING' END)::"DeliveryStatus", ${at}, ${at}, ${at}
        FROM events e
        CROSS JOIN (SELECT c.id, c.name, c.digest FROM "AlertRuleChannel" rc JOIN "AlertChannel" c ON c.id = rc."channelId"
                     WHERE rc."ruleId" = ${rule.id} AND c.enabled) ch
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING id
    )
    SELECT (SELECT count(*) FROM ins)::int AS raised,
           ((SELECT count(*) FROM upd WHERE newly_escalated) + (SELECT count(*) FROM late))::int AS escalated,
           (SELECT count(*) FROM res)::int AS resolved,
           (SELECT count(*) FROM sent)::int AS deliveries`;

  return prisma.$transaction(
    async (tx) => {
      // Two evaluators of the same rule (two workers, or a worker and a rule saved in the app) take turns.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert-rule:${rule.id}`}))`;
      const [counts] = await tx.$queryRaw<RuleEvaluation[]>(sql);
      await tx.alertRule.updateMany({ where: { id: rule.id }, data: { lastEvaluatedAt: now } });
      return counts!;
    },
    { timeout: 120_000 },
  );
}

import { liveForExpirySql } from '@/lib/data/expiry';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { findReadingFlags } from '@/lib/readings/flags';
import { healthSql } from '@/lib/readings/health-sql';
import { FLAG_KIND_WORDS } from './condition-labels';
import type { ConditionParams } from './conditions';
import { LOCKOUT_SETTING, type CloudflareLockout } from './lockout';

/*
 * For each condition, the subjects that match it right now, as one SQL query returning the same columns:
 *
 *   subject_type, subject_id, subject_label, group_name, severity, summary, details (jsonb),
 *   escalation (text: why a person is needed now, or null), occurrence (text or null: events only,
 *   telling one occurrence of the same subject from the next)
 *
 * The evaluator (evaluate.ts) diffs this set against the rule's open alerts in the same statement, so a
 * matcher must be complete (every subject that matches), not incremental. Device conditions honour the
 * rule's group. Times are `timestamp` columns holding UTC, compared with `now` passed in as UTC.
 */

export interface MatchContext {
  now: Date;
  /** The rule's device group, or null for the whole fleet. */
  group: string | null;
  /** Event conditions report only occurrences after the rule was created (no flood of history). */
  ruleCreatedAt: Date;
  /**
   * Event conditions look only at rows changed since the rule's last evaluation, less a margin (an hour:
   * writes that committed late, clocks a little apart); null: never evaluated.
   */
  changedSince: Date | null;
}

const ts = (date: Date) => Prisma.sql`${date.toISOString()}::timestamp`;
const groupFilter = (column: Prisma.Sql, group: string | null) => (group === null ? Prisma.sql`TRUE` : Prisma.sql`${column} = ${group}`);
/** "12 min", "5 h", "3 days": how long ago, for messages. */
const ago = (column: Prisma.Sql, now: Date) => Prisma.sql`(CASE
  WHEN ${ts(now)} - ${column} < interval '1 hour' THEN greatest(1, floor(extract(epoch FROM ${ts(now)} - ${column}) / 60))::int || ' min'
  WHEN ${ts(now)} - ${column} < interval '2 days' THEN floor(extract(epoch FROM ${ts(now)} - ${column}) / 3600)::int || ' h'
  ELSE floor(extract(epoch FROM ${ts(now)} - ${column}) / 86400)::int || ' days' END)`;
const certLabel = Prisma.sql`COALESCE(d.name || ' (' || c."serialNumber" || ')', c."commonName" || ' (' || c."serialNumber" || ')')`;
const day = (column: Prisma.Sql) => Prisma.sql`to_char(${column}, 'YYYY-MM-DD HH24:MI "UTC"')`;

export function certExpiring(ctx: MatchContext, p: ConditionParams<'CERT_EXPIRING'>): Prisma.Sql {
  const { now } = ctx;
  const horizon = new Date(now.getTime() + (p.withinDays + 1) * 86_400_000);
  const window = new Date(now.getTime() - p.renewalWindowDays * 86_400_000);
  // Needs a person: the device has been silent for longer than its renewal window, or for longer than the
  // certificate has left, so it will not come back in time to renew by itself.
  const stranded = Prisma.sql`d.id IS NOT NULL AND (d."lastSeenAt" IS NULL OR d."lastSeenAt" < ${ts(window)}
    OR ${ts(now)} - d."lastSeenAt" > c."expiresOn" - ${ts(now)})`;
  return Prisma.sql`
    SELECT 'certificate' AS subject_type, c.id AS subject_id, ${certLabel} AS subject_label, d."group" AS group_name,
           CASE WHEN c."expiresOn" <= ${ts(now)} OR (${stranded}) THEN 'CRITICAL' ELSE 'WARNING' END AS severity,
           CASE WHEN c."expiresOn" <= ${ts(now)} THEN 'Certificate of ' || ${certLabel} || ' expired on ' || ${day(Prisma.sql`c."expiresOn"`)}
                ELSE 'Certificate of ' || ${certLabel} || ' expires on ' || ${day(Prisma.sql`c."expiresOn"`)} END AS summary,
           jsonb_build_object('expiresOn', c."expiresOn", 'serialNumber', c."serialNumber", 'deviceId', d.id, 'lastSeenAt', d."lastSeenAt") AS details,
           CASE WHEN ${stranded} THEN
             'Needs a person: ' || d.name || CASE WHEN d."lastSeenAt" IS NULL THEN ' has never reported'
                                                  ELSE ' has not reported for ' || ${ago(Prisma.sql`d."lastSeenAt"`, now)} END
             || ', longer than its ' || ${Prisma.raw(String(p.renewalWindowDays))} || '-day renewal window or the time its certificate has left, so it cannot renew by itself.'
           END AS escalation,
           NULL::text AS occurrence
      FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
     WHERE ${liveForExpirySql} AND c."supersededAt" IS NULL AND (d.id IS NULL OR d.status = 'ACTIVE')
       AND c."expiresOn" < ${ts(horizon)} AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}`;
}

export function revocationCompleted(ctx: MatchContext): Prisma.Sql {
  const since = new Date(Math.max(ctx.ruleCreatedAt.getTime(), ctx.now.getTime() - 7 * 86_400_000));
  // A revocation becomes REVOKED when Cloudflare settles it, after revokedAt: the row's updatedAt says when.
  const changed = ctx.changedSince ? Prisma.sql`c."updatedAt" >= ${ts(ctx.changedSince)}` : Prisma.sql`TRUE`;
  return Prisma.sql`
    SELECT 'certificate' AS subject_type, c.id AS subject_id, ${certLabel} AS subject_label, d."group" AS group_name,
           'INFO' AS severity,
           'Certificate of ' || ${certLabel} || ' is revoked' || COALESCE(' (' || lower(replace(c."revocationReason"::text, '_', ' ')) || COALESCE(', by ' || c."revokedByEmail", '') || ')', '') AS summary,
           jsonb_build_object('revokedAt', c."revokedAt", 'reason', c."revocationReason", 'by', c."revokedByEmail", 'deviceId', d.id) AS details,
           NULL::text AS escalation,
           to_char(c."revokedAt", 'YYYYMMDDHH24MISSMS') AS occurrence
      FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
     WHERE c.status = 'REVOKED' AND c."revokedAt" >= ${ts(since)} AND ${changed} AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}`;
}

export function revocationFailed(ctx: MatchContext, p: ConditionParams<'REVOCATION_FAILED'>): Prisma.Sql {
  const stuckSince = new Date(ctx.now.getTime() - p.pendingMinutes * 60_000);
  // An edge proof is taken right after Cloudflare settles a revocation; a month back covers any backlog.
  const proofSince = new Date(ctx.now.getTime() - 30 * 86_400_000);
  return Prisma.sql`
    SELECT 'certificate' AS subject_type, c.id AS subject_id, ${certLabel} AS subject_label, d."group" AS group_name,
           'CRITICAL' AS severity,
           'The edge still accepts ' || ${certLabel} || ' after its revocation (answered ' || COALESCE(p.details->>'status', '2xx') || ')' AS summary,
           jsonb_build_object('revokedAt', c."revokedAt", 'edgeStatus', p.details->'status', 'provedAt', p.at, 'deviceId', d.id) AS details,
           NULL::text AS escalation, NULL::text AS occurrence
      FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
      JOIN LATERAL (SELECT a.action, a.details, a.at FROM "AuditEvent" a
                     WHERE a."targetType" = 'certificate' AND a."targetId" = c.id
                       AND a.action IN ('certificate.edge_refused', 'certificate.edge_accepted') AND a.at >= c."revokedAt"
                     ORDER BY a.at DESC LIMIT 1) p ON p.action = 'certificate.edge_accepted'
     WHERE c.status = 'REVOKED' AND c."revokedAt" >= ${ts(proofSince)} AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}
    UNION ALL
    SELECT 'certificate', c.id, ${certLabel}, d."group", 'CRITICAL',
           'Revocation of ' || ${certLabel} || ' is still pending at Cloudflare after ' || ${ago(Prisma.sql`c."revokedAt"`, ctx.now)},
           jsonb_build_object('revokedAt', c."revokedAt", 'deviceId', d.id), NULL::text, NULL::text
      FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
     WHERE c.status = 'PENDING_REVOCATION' AND c."revokedAt" < ${ts(stuckSince)} AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}`;
}

export function deviceUnhealthy(ctx: MatchContext, p: ConditionParams<'DEVICE_UNHEALTHY'>): Prisma.Sql {
  const { now } = ctx;
  return Prisma.sql`
    SELECT 'device' AS subject_type, h.id AS subject_id, h.name AS subject_label, h."group" AS group_name,
           CASE h.health WHEN 'silent' THEN 'CRITICAL' ELSE 'WARNING' END AS severity,
           h.name || ' is ' || h.health || CASE WHEN h."lastSeenAt" IS NULL THEN ': it has never reported'
                                              ELSE ': last report ' || ${ago(Prisma.sql`h."lastSeenAt"`, now)} || ' ago' END AS summary,
           jsonb_build_object('health', h.health, 'lastSeenAt', h."lastSeenAt", 'reportIntervalSec', h."reportIntervalSec") AS details,
           NULL::text AS escalation, NULL::text AS occurrence
      FROM (SELECT d.id, d.name, d."group", d."lastSeenAt", d."reportIntervalSec",
                   ${healthSql(now)} AS health
              FROM "Device" d
             WHERE d.status = 'ACTIVE' AND NOT d."isCanary" AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}) h
     WHERE h.health = ANY(${[...p.states]}::text[])`;
}

/**
 * Readings that should not exist (lib/readings/flags.ts) received in the look-back window. Found by the
 * readings code in TypeScript, handed to the evaluator as JSON.
 */
export async function readingsFlagged(prisma: PrismaClient, ctx: MatchContext, p: ConditionParams<'READINGS_FLAGGED'>): Promise<Prisma.Sql> {
  const from = new Date(ctx.now.getTime() - p.lookbackHours * 3_600_000);
  const flags = (await findReadingFlags((text, values) => prisma.$queryRawUnsafe(text, ...values), { from, to: ctx.now })).filter((f) =>
    (p.kinds as readonly string[]).includes(f.kind),
  );
  const deviceIds = [...new Set(flags.flatMap((f) => [...f.deviceIds, ...(f.certificateDeviceId ? [f.certificateDeviceId] : [])]))];
  const devices = new Map(
    (await prisma.device.findMany({ where: { id: { in: deviceIds } }, select: { id: true, name: true, group: true } })).map((d) => [d.id, d] as const),
  );
  const rows = flags.flatMap((f) => {
    const involved = [...(f.certificateDeviceId ? [f.certificateDeviceId] : []), ...f.deviceIds].map((id) => devices.get(id)).filter((d) => !!d);
    const groups = [...new Set(involved.map((d) => d.group))];
    if (ctx.group !== null && !groups.includes(ctx.group)) return [];
    const names = [...new Set(involved.map((d) => d.name))];
    const label = `${names[0] ?? 'no device'} (${f.fingerprint.slice(0, 12)}…)`;
    return [
      {
        subject_type: 'reading-flag',
        subject_id: `${f.kind}:${f.fingerprint}`,
        subject_label: label,
        group_name: ctx.group ?? groups[0] ?? null,
        severity: f.kind === 'unknown' ? 'WARNING' : 'CRITICAL',
        summary: `${f.readings} reading${f.readings === 1 ? '' : 's'} from ${FLAG_KIND_WORDS[f.kind]}${names.length ? ` (${names.join(', ')})` : ''} in the last ${p.lookbackHours} h`,
        details: { kind: f.kind, fingerprint: f.fingerprint, readings: f.readings, first: f.first, last: f.last, deviceIds: f.deviceIds, certificateDeviceId: f.certificateDeviceId },
        escalation: null,
        occurrence: null,
      },
    ];
  });
  return fromJson(rows);
}

export function reconcileDrift(ctx: MatchContext): Prisma.Sql {
  const untracked =
    ctx.group === null
      ? Prisma.sql`
    UNION ALL
    SELECT 'certificate', c.id, c."commonName" || ' (' || c."serialNumber" || ')', NULL::text, 'WARNING',
           'Certificate ' || c."commonName" || ' (' || c."serialNumber" || ') was issued outside certfleet and belongs to no device',
           jsonb_build_object('drift', 'untracked', 'issuedOn', c."issuedOn"), NULL::text, NULL::text
      FROM "Certificate" c
     WHERE c.source = 'RECONCILED' AND c."deviceId" IS NULL AND c.status = 'ACTIVE' AND c."missingAtCloudflareAt" IS NULL`
      : Prisma.empty;
  return Prisma.sql`
    SELECT 'certificate' AS subject_type, c.id AS subject_id, ${certLabel} AS subject_label, d."group" AS group_name,
           'WARNING' AS severity,
           'Certificate of ' || ${certLabel} || ' is missing at Cloudflare (noticed ' || ${day(Prisma.sql`c."missingAtCloudflareAt"`)} || ')' AS summary,
           jsonb_build_object('drift', 'missing', 'missingSince', c."missingAtCloudflareAt", 'deviceId', d.id) AS details,
           NULL::text AS escalation, NULL::text AS occurrence
      FROM "Certificate" c LEFT JOIN "Device" d ON d.id = c."deviceId"
     WHERE c."missingAtCloudflareAt" IS NOT NULL AND c.status <> 'REVOKED' AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}
    ${untracked}`;
}

export function enforcementRed(ctx: MatchContext): Prisma.Sql {
  // Hosts checked in the last day (the check runs every 5 minutes): one that is no longer checked has left the list.
  const since = new Date(ctx.now.getTime() - 86_400_000);
  return Prisma.sql`
    SELECT 'hostname' AS subject_type, l.hostname AS subject_id, l.hostname AS subject_label, NULL::text AS group_name,
           'CRITICAL' AS severity,
           l.hostname || ' does not enforce client certificates' || COALESCE(': ' || l.detail, '') AS summary,
           jsonb_build_object('checkedAt', l."checkedAt", 'noCertStatus', l."noCertStatus", 'revokedStatus', l."revokedStatus") AS details,
           NULL::text AS escalation, NULL::text AS occurrence
      FROM (SELECT DISTINCT ON (hostname) * FROM "EnforcementCheck" WHERE "checkedAt" >= ${ts(since)} ORDER BY hostname, "checkedAt" DESC) l
     WHERE NOT l.enforced`;
}

export function bulkFinished(ctx: MatchContext): Prisma.Sql {
  const since = new Date(Math.max(ctx.ruleCreatedAt.getTime(), ctx.now.getTime() - 7 * 86_400_000, ctx.changedSince?.getTime() ?? 0));
  return Prisma.sql`
    SELECT 'bulk-job' AS subject_type, j.id AS subject_id, 'Bulk enrollment of ' || to_char(j."createdAt", 'YYYY-MM-DD HH24:MI "UTC"') AS subject_label,
           NULL::text AS group_name, CASE WHEN r.failed > 0 THEN 'WARNING' ELSE 'INFO' END AS severity,
           'Bulk enrollment finished: ' || r.issued || ' of ' || r.total || ' issued' || CASE WHEN r.failed > 0 THEN ', ' || r.failed || ' failed' ELSE '' END AS summary,
           jsonb_build_object('total', r.total, 'issued', r.issued, 'failed', r.failed, 'finishedAt', j."finishedAt") AS details,
           NULL::text AS escalation, NULL::text AS occurrence
      FROM "BulkJob" j
      JOIN LATERAL (SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'ISSUED')::int AS issued,
                           count(*) FILTER (WHERE status = 'FAILED')::int AS failed
                      FROM "BulkJobRow" WHERE "jobId" = j.id) r ON true
     WHERE j."finishedAt" >= ${ts(since)}`;
}

/**
 * The lock-out the shared rate budget holds (CloudflareRateBudget.lockedUntil, set by whichever process
 * or replica saw Cloudflare's 429: a person's click as much as a job), with who saw it from the
 * job worker's note when that note is about the same lock-out. The later of the two ends it.
 */
export async function cloudflareLockout(prisma: PrismaClient, ctx: MatchContext): Promise<Prisma.Sql> {
  const [row, budget] = await Promise.all([
    prisma.setting.findUnique({ where: { key: LOCKOUT_SETTING } }),
    prisma.cloudflareRateBudget.findFirst({ where: { lockedUntil: { gt: ctx.now } }, orderBy: { lockedUntil: 'desc' }, select: { lockedUntil: true } }),
  ]);
  const noted = row?.value as CloudflareLockout | undefined;
  const note = noted && new Date(noted.until) > ctx.now ? noted : undefined;
  const until = [note?.until, budget?.lockedUntil?.toISOString()].filter((u): u is string => Boolean(u)).sort().at(-1);
  const lockout: CloudflareLockout | undefined = until
    ? { seenAt: note?.seenAt ?? ctx.now.toISOString(), until, operation: note?.operation ?? null, source: note?.source ?? 'the shared rate budget' }
    : undefined;
  const rows = lockout
    ? [
        {
          subject_type: 'cloudflare',
          subject_id: 'api',
          subject_label: 'Cloudflare API',
          group_name: null,
          severity: 'CRITICAL',
          summary: `Cloudflare's API locked certfleet out for exceeding its rate limit, until ${lockout.until.slice(11, 16)} UTC (seen by ${lockout.source}${lockout.operation ? `, ${lockout.operation}` : ''}); nobody can issue or revoke meanwhile`,
          details: { ...lockout },
          escalation: null,
          occurrence: null,
        },
      ]
    : [];
  return fromJson(rows);
}

/**
 * EST requests certfleet refused (lib/est/sync.ts) since the rule was made: one event per request, told once.
 * The subject is the device (its page lists its EST history); the request id tells one refusal from the next.
 */
export function estRefused(ctx: MatchContext, p: ConditionParams<'EST_REFUSED'>): Prisma.Sql {
  const since = new Date(Math.max(ctx.ruleCreatedAt.getTime(), ctx.now.getTime() - 7 * 86_400_000, ctx.changedSince?.getTime() ?? 0));
  const which = p.refusals === 'policy' ? Prisma.sql`r."policyRule" IS NOT NULL` : Prisma.sql`TRUE`;
  return Prisma.sql`
    SELECT 'device' AS subject_type, d.id AS subject_id, d.name AS subject_label, d."group" AS group_name,
           'WARNING' AS severity,
           'EST ' || CASE r.kind WHEN 'ENROLL' THEN 'enrollment' ELSE 'renewal' END || ' of ' || d.name || ' refused: ' || COALESCE(r.error, 'refused') AS summary,
           jsonb_build_object('estRequestId', r.id, 'kind', r.kind, 'policyRule', r."policyRule", 'reason', r.error, 'rejectedAt', r."rejectedAt") AS details,
           NULL::text AS escalation,
           r.id AS occurrence
      FROM "EstRequest" r JOIN "Device" d ON d.id = r."deviceId"
     WHERE r.status = 'REJECTED' AND r."rejectedAt" >= ${ts(since)} AND ${which} AND ${groupFilter(Prisma.sql`d."group"`, ctx.group)}`;
}

/** Rows computed in TypeScript, as the same columns. */
function fromJson(rows: object[]): Prisma.Sql {
  return Prisma.sql`
    SELECT subject_type, subject_id, subject_label, group_name, severity, summary, details, escalation, occurrence
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(subject_type text, subject_id text, subject_label text, group_name text, severity text, summary text,
             details jsonb, escalation text, occurrence text)`;
}

import 'server-only';
/**
 * The renewal planner (docs/est.md "Renewal planner"): from the database, in SQL, for every live device
 * certificate — when its renewal window opens under its group's EST policy, whether its device can be expected
 * to renew before expiry, and the weekly load renewals put on Cloudflare's rate budget and on the zone's
 * certificate count. Nothing is loaded per certificate but the at-risk page shown.
 *
 * At risk (one reason each, first that applies):
 *  - expired: it expired and was not renewed;
 *  - silent: its device is not expected back before expiry, so a person has to renew it. A device silent for s
 *    (since its last reading, or since the certificate was issued when it never reported) is expected back no
 *    sooner than now + max(its reporting interval, s): having been away s, it is as likely as not to stay away
 *    as long again (the "Copernican" estimate), and a device that reports on schedule is back within one interval;
 *  - missed: its device reported after the window opened (plus one reporting interval) and did not renew.
 */
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { budgetShape, readRatePolicy } from '@/lib/cloudflare/budget';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { DEFAULT_EST_POLICY } from '@/lib/validation/est-policy';

export const PLANNER_WEEKS = 12;
/** Cloudflare API calls one renewal costs: the issuance, then the old certificate's revocation. */
export const CALLS_PER_RENEWAL = 2;
export const AT_RISK_PAGE = 100;

export type RiskReason = 'expired' | 'missed' | 'silent';

export interface PlannerWeek {
  /** 0 = the next 7 days from now. */
  week: number;
  from: Date;
  /** Certificates whose window opens in the week. */
  renewals: number;
  /** The busiest hour of the week: windows opening in it (devices renew at their next report after that). */
  peakHourRenewals: number;
  /** Cloudflare calls (issue + revoke) and their share of the budget's weekly / hourly capacity. */
  calls: number;
  budgetShare: number;
  peakHourBudgetShare: number;
  /** Zone certificates if every renewal of the week coexisted with its old certificate at once (the worst case). */
  zonePeak: number;
}

export interface AtRiskRow {
  certificateId: string;
  serialNumber: string;
  deviceId: string;
  deviceName: string;
  group: string;
  expiresOn: Date;
  windowOpensAt: Date;
  lastSeenAt: Date | null;
  reportIntervalSec: number;
  reason: RiskReason;
}

export interface RenewalPlan {
  now: Date;
  group: string | null;
  /** Live device certificates considered. */
  certificates: number;
  /** In their window now (not expired, not renewed yet). */
  inWindow: number;
  /** Unrevoked certificates in the zone now (what Cloudflare's quota counts), whole zone. */
  zoneCertificates: number;
  weeks: PlannerWeek[];
  atRisk: { total: number; byReason: Record<RiskReason, number>; rows: AtRiskRow[] };
  budget: { requestsPerWeek: number; requestsPerHour: number; policy: string };
}

const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp`;

/** Live device certificates, with the moment their window opens under their group's policy. */
function liveSql(now: Date, group: string | null): Prisma.Sql {
  const d = DEFAULT_EST_POLICY;
  return Prisma.sql`
    SELECT c.id, c."serialNumber", c."issuedOn", c."expiresOn", d.id AS device_id, d.name AS device_name, d."group",
           d."lastSeenAt", greatest(1, d."reportIntervalSec") AS interval_sec,
           CASE WHEN COALESCE(p."windowMode"::text, ${d.windowMode}) = 'DAYS'
                THEN c."expiresOn" - make_interval(days => COALESCE(p."windowDays", ${d.windowDays}::int))
                ELSE c."expiresOn" - (c."expiresOn" - c."issuedOn") * (COALESCE(p."windowPercent", ${d.windowPercent}::int) / 100.0) END AS opens
      FROM "Certificate" c
      JOIN "Device" d ON d.id = c."deviceId"
      LEFT JOIN "EstPolicy" p ON p."group" = d."group"
     WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL
       AND d.status = 'ACTIVE' AND NOT d."isCanary"
       ${group === null ? Prisma.empty : Prisma.sql`AND d."group" = ${group}`}`;
}

/** The reason a row of liveSql is at risk, or NULL. */
function riskSql(now: Date): Prisma.Sql {
  const n = ts(now);
  return Prisma.sql`CASE
    WHEN l."expiresOn" <= ${n} THEN 'expired'
    WHEN ${n} + greatest(l.interval_sec * interval '1 second', ${n} - COALESCE(l."lastSeenAt", l."issuedOn")) >= l."expiresOn" THEN 'silent'
    WHEN l.opens < ${n} AND l."lastSeenAt" > l.opens + l.interval_sec * interval '1 second' THEN 'missed'
  END`;
}

/** How many live certificates are at risk (the Overview's link). One pass, no rows returned. */
export async function countAtRisk(prisma: PrismaClient, now: Date = new Date()): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (${liveSql(now, null)}) l WHERE ${riskSql(now)} IS NOT NULL`;
  return row?.n ?? 0;
}

/** The planner, for the whole fleet or one group. */
export async function getRenewalPlan(prisma: PrismaClient, opts: { now?: Date; group?: string | null; env?: Record<string, string | undefined> } = {}): Promise<RenewalPlan> {
  const now = opts.now ?? new Date();
  const group = opts.group?.trim() || null;
  const n = ts(now);
  const horizon = ts(new Date(now.getTime() + PLANNER_WEEKS * 7 * 86_400_000));
  const [summary] = await prisma.$queryRaw<
    { certificates: number; in_window: number; zone: number; weeks: { h: number; n: number }[] | null; risk: { reason: RiskReason; n: number }[] | null }[]
  >`
    WITH l AS MATERIALIZED (SELECT l.*, ${riskSql(now)} AS risk FROM (${liveSql(now, group)}) l),
    hours AS (
      SELECT floor(extract(epoch FROM l.opens - ${n}) / 3600)::int AS h, count(*)::int AS n
        FROM l WHERE l.opens >= ${n} AND l.opens < ${horizon} GROUP BY 1
    )
    SELECT (SELECT count(*)::int FROM l) AS certificates,
           (SELECT count(*)::int FROM l WHERE l.opens < ${n} AND l."expiresOn" > ${n}) AS in_window,
           (SELECT count(*)::int FROM "Certificate" WHERE status <> 'REVOKED') AS zone,
           (SELECT jsonb_agg(jsonb_build_object('h', h, 'n', n)) FROM hours) AS weeks,
           (SELECT jsonb_agg(jsonb_build_object('reason', risk, 'n', k)) FROM (SELECT risk, count(*)::int AS k FROM l WHERE risk IS NOT NULL GROUP BY risk) r) AS risk`;
  const rows = await prisma.$queryRaw<
    { id: string; serialNumber: string; device_id: string; device_name: string; group: string; expiresOn: Date; opens: Date; lastSeenAt: Date | null; interval_sec: number; risk: RiskReason }[]
  >`
    SELECT l.id, l."serialNumber", l.device_id, l.device_name, l."group", l."expiresOn", l.opens, l."lastSeenAt", l.interval_sec, l.risk
      FROM (SELECT l.*, ${riskSql(now)} AS risk FROM (${liveSql(now, group)}) l) l
     WHERE l.risk IS NOT NULL
     ORDER BY l."expiresOn", l.id
     LIMIT ${AT_RISK_PAGE}`;

  const policy = readRatePolicy(opts.env ?? process.env);
  const shape = budgetShape(policy);
  const perWeek = shape.ratePerSecond * 7 * 86_400;
  const perHour = shape.ratePerSecond * 3_600;
  const s = summary!;
  const zone = s.zone;
  const weeks: PlannerWeek[] = Array.from({ length: PLANNER_WEEKS }, (_, week) => {
    const inWeek = (s.weeks ?? []).filter((h) => Math.floor(h.h / 168) === week);
    const renewals = inWeek.reduce((sum, h) => sum + h.n, 0);
    const peakHourRenewals = inWeek.reduce((max, h) => Math.max(max, h.n), 0);
    return {
      week,
      from: new Date(now.getTime() + week * 7 * 86_400_000),
      renewals,
      peakHourRenewals,
      calls: renewals * CALLS_PER_RENEWAL,
      budgetShare: (renewals * CALLS_PER_RENEWAL) / perWeek,
      peakHourBudgetShare: (peakHourRenewals * CALLS_PER_RENEWAL) / perHour,
      zonePeak: zone + renewals,
    };
  });
  const byReason: Record<RiskReason, number> = { expired: 0, missed: 0, silent: 0 };
  for (const r of s.risk ?? []) byReason[r.reason] = r.n;
  return {
    now,
    group,
    certificates: s.certificates,
    inWindow: s.in_window,
    zoneCertificates: zone,
    weeks,
    atRisk: {
      total: byReason.expired + byReason.missed + byReason.silent,
      byReason,
      rows: rows.map((r) => ({
        certificateId: r.id,
        serialNumber: r.serialNumber,
        deviceId: r.device_id,
        deviceName: r.device_name,
        group: r.group,
        expiresOn: r.expiresOn,
        windowOpensAt: r.opens,
        lastSeenAt: r.lastSeenAt,
        reportIntervalSec: r.interval_sec,
        reason: r.risk,
      })),
    },
    budget: { requestsPerWeek: Math.floor(perWeek), requestsPerHour: Math.floor(perHour), policy: `${policy.limit} requests per ${policy.windowMs / 1000} s` },
  };
}

/** For pages: the plan, for those who may view certificates. */
export async function findRenewalPlan(prisma: PrismaClient, actor: SessionUser, group: string | null): Promise<RenewalPlan> {
  assertCan(actor, 'certificate:view');
  return getRenewalPlan(prisma, { group });
}

/** For the Overview. */
export async function findAtRiskCount(prisma: PrismaClient, actor: SessionUser): Promise<number> {
  assertCan(actor, 'certificate:view');
  return countAtRisk(prisma);
}

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
  atRisk: {
    total: number;
    byReason: Record<RiskReason, number>;
    rows: AtRiskRow[];
    /** Position (1-based) of the page's first row in the whole list. */
    from: number;
    /** The cursor of the next page (`after`), null on the last. */
    next: string | null;
  };
  budget: { requestsPerWeek: number; requestsPerHour: number; policy: string };
}

const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp`;

/*
 * Every read below is an index range over "RenewalPlanEntry", the planner's read model: one row per live device
 * certificate with the moments its window opens ("opensAt"), its device stops being expected back before expiry
 * ("silentAt"), and it becomes at risk ("riskAt"), kept by triggers on Certificate, Device (last seen, interval,
 * status, group) and EstPolicy; why those moments are exactly the rule above is in migration
 * renewal_plan_entries. So the at-risk count is `"riskAt" <= now`, the 12 weeks a GROUP BY over an "opensAt"
 * range, the page the first 100 entries in expiry order, and only those 100 join the device and certificate.
 */

/** Where a page of the at-risk list starts: after this entry, in expiry order. */
export interface AtRiskCursor {
  expiresOn: Date;
  certificateId: string;
}

/** `2027-01-24T00:00:00.000Z_<certificate id>`: the last row of the page before, as the URL carries it. */
export const encodeAtRiskCursor = (c: AtRiskCursor) => `${c.expiresOn.toISOString()}_${c.certificateId}`;

/** The cursor in a URL, or undefined when there is none or it is not one (then the list starts at the top). */
export function parseAtRiskCursor(raw: string | null | undefined): AtRiskCursor | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([A-Za-z0-9_-]{1,100})$/.exec(raw?.trim() ?? '');
  if (!m) return undefined;
  const expiresOn = new Date(m[1]!);
  return Number.isNaN(expiresOn.getTime()) ? undefined : { expiresOn, certificateId: m[2]! };
}

/** `AND "group" = …` when the plan is for one group. */
const inGroup = (group: string | null) => (group === null ? Prisma.empty : Prisma.sql`AND e."group" = ${group}`);

/** How many live certificates are at risk (the Overview's link): one index range, no rows returned. */
export async function countAtRisk(prisma: PrismaClient, now: Date = new Date()): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "RenewalPlanEntry" e WHERE e."riskAt" <= ${ts(now)}`;
  return row?.n ?? 0;
}

/** The planner, for the whole fleet or one group. */
export async function getRenewalPlan(
  prisma: PrismaClient,
  opts: { now?: Date; group?: string | null; env?: Record<string, string | undefined>; after?: AtRiskCursor } = {},
): Promise<RenewalPlan> {
  const now = opts.now ?? new Date();
  const group = opts.group?.trim() || null;
  const n = ts(now);
  const horizon = ts(new Date(now.getTime() + PLANNER_WEEKS * 7 * 86_400_000));
  const g = inGroup(group);
  // The zone: unrevoked certificates, canaries and superseded ones included. Live ones are counted per expiry day
  // by the fleet read model (CertificateExpiryDay); the rest are the few pending revocation.
  const [summary] = await prisma.$queryRaw<
    { certificates: number; zone: number; opened: { h: number; n: number }[] | null; expired: number; silent: number; at_risk: number }[]
  >`
    SELECT (SELECT COALESCE(sum(r."certificates"), 0)::int FROM "RenewalPlanGroup" r ${group === null ? Prisma.empty : Prisma.sql`WHERE r."group" = ${group}`}) AS certificates,
           ((SELECT COALESCE(sum("live"), 0) FROM "CertificateExpiryDay")
             + (SELECT count(*) FROM "Certificate" WHERE status = 'PENDING_REVOCATION'))::int AS zone,
           -- One pass over the windows opened before the horizon: hour h from now, or -1 for those open now.
           (SELECT jsonb_agg(jsonb_build_object('h', o.h, 'n', o.n))
              FROM (SELECT CASE WHEN e."opensAt" < ${n} THEN -1 ELSE floor(extract(epoch FROM e."opensAt" - ${n}) / 3600)::int END AS h,
                           count(*)::int AS n
                      FROM "RenewalPlanEntry" e
                     WHERE e."opensAt" < ${horizon} AND (e."opensAt" >= ${n} OR e."expiresOn" > ${n}) ${g}
                     GROUP BY 1) o) AS opened,
           r.expired, r.silent, r.at_risk
      FROM (SELECT count(*) FILTER (WHERE e."expiresOn" <= ${n})::int AS expired,
                   count(*) FILTER (WHERE e."silentAt" <= ${n})::int AS silent,
                   count(*)::int AS at_risk
              FROM "RenewalPlanEntry" e WHERE e."riskAt" <= ${n} ${g}) r`;
  // The page: the entries at risk in expiry order after the cursor (an index range in that order, stopping at one
  // past the page, which says whether there is a next), and, on a later page, how many come before it.
  const after = opts.after ? Prisma.sql`AND (e."expiresOn", e."certificateId") > (${ts(opts.after.expiresOn)}, ${opts.after.certificateId})` : Prisma.empty;
  const before = opts.after
    ? (await prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "RenewalPlanEntry" e
         WHERE e."riskAt" <= ${n} ${g} AND (e."expiresOn", e."certificateId") <= (${ts(opts.after.expiresOn)}, ${opts.after.certificateId})`)[0]?.n ?? 0
    : 0;
  const rows = await prisma.$queryRaw<
    { id: string; serialNumber: string; device_id: string; device_name: string; group: string; expiresOn: Date; opens: Date; lastSeenAt: Date | null; interval_sec: number; risk: RiskReason }[]
  >`
    SELECT e."certificateId" AS id, c."serialNumber", d.id AS device_id, d.name AS device_name, d."group", e."expiresOn",
           e."opensAt" AS opens, d."lastSeenAt", greatest(1, d."reportIntervalSec") AS interval_sec,
           CASE WHEN e."expiresOn" <= ${n} THEN 'expired' WHEN e."silentAt" <= ${n} THEN 'silent' ELSE 'missed' END AS risk
      FROM (SELECT e."certificateId", e."expiresOn", e."opensAt", e."silentAt"
              FROM "RenewalPlanEntry" e
             WHERE e."riskAt" <= ${n} ${g} ${after}
             ORDER BY e."expiresOn", e."certificateId"
             LIMIT ${AT_RISK_PAGE + 1}) e
      JOIN "Certificate" c ON c.id = e."certificateId"
      JOIN "Device" d ON d.id = c."deviceId"
     ORDER BY e."expiresOn", e."certificateId"`;

  const policy = readRatePolicy(opts.env ?? process.env);
  const shape = budgetShape(policy);
  const perWeek = shape.ratePerSecond * 7 * 86_400;
  const perHour = shape.ratePerSecond * 3_600;
  const s = summary!;
  const zone = s.zone;
  const hours = (s.opened ?? []).filter((h) => h.h >= 0);
  const weeks: PlannerWeek[] = Array.from({ length: PLANNER_WEEKS }, (_, week) => {
    const inWeek = hours.filter((h) => Math.floor(h.h / 168) === week);
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
  // An expired certificate is silent too (its silentAt is before its expiry), a silent one at risk too.
  const byReason: Record<RiskReason, number> = { expired: s.expired, missed: s.at_risk - s.silent, silent: s.silent - s.expired };
  return {
    now,
    group,
    certificates: s.certificates,
    inWindow: (s.opened ?? []).find((h) => h.h === -1)?.n ?? 0,
    zoneCertificates: zone,
    weeks,
    atRisk: {
      total: byReason.expired + byReason.missed + byReason.silent,
      byReason,
      from: before + 1,
      next: rows.length > AT_RISK_PAGE ? encodeAtRiskCursor({ expiresOn: rows[AT_RISK_PAGE - 1]!.expiresOn, certificateId: rows[AT_RISK_PAGE - 1]!.id }) : null,
      rows: rows.slice(0, AT_RISK_PAGE).map((r) => ({
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
export async function findRenewalPlan(prisma: PrismaClient, actor: SessionUser, group: string | null, after?: AtRiskCursor): Promise<RenewalPlan> {
  assertCan(actor, 'certificate:view');
  return getRenewalPlan(prisma, { group, after });
}

/** For the Overview. */
export async function findAtRiskCount(prisma: PrismaClient, actor: SessionUser): Promise<number> {
  assertCan(actor, 'certificate:view');
  return countAtRisk(prisma);
}

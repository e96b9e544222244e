// The renewal planner's read model ("RenewalPlanEntry", migration renewal_plan_entries), on a real database
// (PGlite, or the server in DATABASE_URL): it answers as the per-read formula it replaced, and every write that
// moves an input (certificate, device, group policy) moves it. lib/est/policy.test.ts covers the plan's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { DEFAULT_EST_POLICY, EstPolicySchema } from '@/lib/validation/est-policy';
import { AT_RISK_PAGE, countAtRisk, encodeAtRiskCursor, getRenewalPlan, parseAtRiskCursor } from './planner';
import { updateEstPolicy } from './policy';

let testDb: TestDatabase;
let admin: SessionUser;

const DAY = 86_400_000;
const NOW = new Date('2027-03-01T00:00:00.000Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp`;

let serial = 0;
async function device(name: string, group: string, lastSeenAt: Date | null, extra: { reportIntervalSec?: number; isCanary?: boolean; status?: 'ACTIVE' | 'INACTIVE' } = {}) {
  return testDb.prisma.device.create({ data: { id: `pl-${name}`, name, group, commonName: `${name}.test`, lastSeenAt, reportIntervalSec: 60, ...extra } });
}
async function cert(deviceId: string, issuedOn: Date, expiresOn: Date) {
  const n = String(++serial).padStart(6, '0');
  return testDb.prisma.certificate.create({
    data: {
      cloudflareId: `plcf-${n}`,
      deviceId,
      serialNumber: `CD${n}`,
      ski: `plski${n}`,
      fingerprintSha256: `plfp${n}`,
      commonName: deviceId,
      keyType: 'EC',
      keySize: 256,
      issuedOn,
      expiresOn,
      validityDays: Math.round((expiresOn.getTime() - issuedOn.getTime()) / DAY),
      pem: 'x',
      csr: 'x',
    },
  });
}
const entry = (certificateId: string) => testDb.prisma.renewalPlanEntry.findUnique({ where: { certificateId } });

/**
 * The rule as the planner computed it at every read before the read model (lib/est/planner.ts's header), kept
 * here as the oracle: each live certificate's window opening and its reason at `now`, from the base tables.
 */
async function oracle(now: Date): Promise<Map<string, { opens: string; reason: string | null }>> {
  const d = DEFAULT_EST_POLICY;
  const n = ts(now);
  const rows = await testDb.prisma.$queryRaw<{ id: string; opens: Date; reason: string | null }[]>`
    SELECT l.id, l.opens, CASE
      WHEN l."expiresOn" <= ${n} THEN 'expired'
      WHEN ${n} + greatest(l.interval_sec * interval '1 second', ${n} - COALESCE(l."lastSeenAt", l."issuedOn")) >= l."expiresOn" THEN 'silent'
      WHEN l.opens < ${n} AND l."lastSeenAt" > l.opens + l.interval_sec * interval '1 second' THEN 'missed'
    END AS reason
    FROM (SELECT c.id, c."issuedOn", c."expiresOn", d."lastSeenAt", greatest(1, d."reportIntervalSec") AS interval_sec,
                 CASE WHEN COALESCE(p."windowMode"::text, ${d.windowMode}) = 'DAYS'
                      THEN c."expiresOn" - make_interval(days => COALESCE(p."windowDays", ${d.windowDays}::int))
                      ELSE c."expiresOn" - (c."expiresOn" - c."issuedOn") * (COALESCE(p."windowPercent", ${d.windowPercent}::int) / 100.0) END AS opens
            FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId" LEFT JOIN "EstPolicy" p ON p."group" = d."group"
           WHERE c.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND c."supersededAt" IS NULL
             AND d.status = 'ACTIVE' AND NOT d."isCanary") l`;
  return new Map(rows.map((r) => [r.id, { opens: r.opens.toISOString(), reason: r.reason }]));
}

/** The same, read from the maintained entries the way lib/est/planner.ts reads them. */
async function maintained(now: Date): Promise<Map<string, { opens: string; reason: string | null }>> {
  const n = ts(now);
  const rows = await testDb.prisma.$queryRaw<{ id: string; opens: Date; reason: string | null }[]>`
    SELECT e."certificateId" AS id, e."opensAt" AS opens,
           CASE WHEN e."riskAt" > ${n} THEN NULL WHEN e."expiresOn" <= ${n} THEN 'expired' WHEN e."silentAt" <= ${n} THEN 'silent' ELSE 'missed' END AS reason
      FROM "RenewalPlanEntry" e`;
  return new Map(rows.map((r) => [r.id, { opens: r.opens.toISOString(), reason: r.reason }]));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const u = await testDb.prisma.user.create({ data: { email: 'admin@planner.test', name: 'admin', role: 'ADMIN', passwordHash: 'x' } });
  admin = { id: u.id, email: u.email, name: u.name, role: 'ADMIN' };
});

afterAll(async () => {
  await testDb?.stop();
});

describe('renewal plan entries (the planner read model)', () => {
  it('agree with the per-read rule for every certificate, at the boundaries too, under both window modes', async () => {
    // A spread of lifetimes, silences and intervals; moments chosen to land on the rule's edges (odd milliseconds
    // so halving the silence is not a whole millisecond).
    const moments: Date[] = [NOW];
    for (let i = 0; i < 24; i++) {
      const group = i % 3 === 0 ? 'or-days' : i % 3 === 1 ? 'or-pct' : 'or-default';
      const lifeDays = [30, 90, 365][i % 3]!;
      const issued = new Date(at(-lifeDays * ((i % 5) / 5 + 0.3)).getTime() + 7 * i + 1);
      const expires = new Date(issued.getTime() + lifeDays * DAY + 3);
      const lastSeen = i % 4 === 3 ? null : new Date(NOW.getTime() - (i * 2.7 * DAY) - 13 * i - 1);
      const interval = [60, 3_600, 86_400, 0][i % 4]!;
      const d = await device(`or-${i}`, group, lastSeen, { reportIntervalSec: interval });
      await cert(d.id, issued, expires);
      const s = (lastSeen ?? issued).getTime();
      moments.push(new Date(expires.getTime()), new Date(expires.getTime() - Math.max(1, interval) * 1000), new Date(Math.ceil((expires.getTime() + s) / 2)), new Date(Math.floor((expires.getTime() + s) / 2)));
    }
    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse({ group: 'or-days', windowMode: 'DAYS', windowPercent: '30', windowDays: '20', keyTypes: ['P-256'], minRsaBits: '2048', validityDays: '', tokenHours: '72', tokenUses: '1', maxRequestsPerDay: '' }));
    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse({ group: 'or-pct', windowMode: 'PERCENT', windowPercent: '45', windowDays: '30', keyTypes: ['P-256'], minRsaBits: '2048', validityDays: '', tokenHours: '72', tokenUses: '1', maxRequestsPerDay: '' }));
    // Window openings as moments too (the missed edge), then some days around.
    for (const e of await testDb.prisma.renewalPlanEntry.findMany()) moments.push(e.opensAt, new Date(e.opensAt.getTime() + 1));
    for (let d = -60; d <= 400; d += 17) moments.push(at(d));

    const reasons = new Set<string | null>();
    for (const now of moments) {
      const want = await oracle(now);
      expect(await maintained(now)).toEqual(want);
      for (const v of want.values()) reasons.add(v.reason);
      expect(await countAtRisk(testDb.prisma, now)).toBe([...want.values()].filter((v) => v.reason).length);
    }
    // The moments did reach every reason (else this test could not fail on one).
    expect(reasons).toEqual(new Set([null, 'expired', 'silent', 'missed']));
  });

  it('a group without a policy row follows DEFAULT_EST_POLICY (the trigger repeats its window)', async () => {
    const d = await device('defaults', 'no-policy', NOW);
    const c = await cert(d.id, at(-10), at(90));
    const e = await entry(c.id);
    const lifetime = 100 * DAY;
    const opens = DEFAULT_EST_POLICY.windowMode === 'DAYS' ? at(90 - DEFAULT_EST_POLICY.windowDays) : new Date(at(90).getTime() - (lifetime * DEFAULT_EST_POLICY.windowPercent) / 100);
    expect(e?.opensAt).toEqual(opens);
  });

  it('follow certificate issue, revocation, supersession and reactivation; canaries and inactive devices have none', async () => {
    const d = await device('life', 'life', NOW);
    const first = await cert(d.id, at(-300), at(65));
    expect(await entry(first.id)).toMatchObject({ group: 'life', expiresOn: at(65) });

    const second = await cert(d.id, NOW, at(365));
    await testDb.prisma.certificate.update({ where: { id: first.id }, data: { supersededById: second.id, supersededAt: NOW } });
    expect(await entry(first.id)).toBeNull();
    expect(await entry(second.id)).not.toBeNull();

    await testDb.prisma.certificate.update({ where: { id: second.id }, data: { status: 'REVOKED', revokedAt: NOW } });
    expect(await entry(second.id)).toBeNull();
    await testDb.prisma.certificate.update({ where: { id: second.id }, data: { status: 'PENDING_REACTIVATION' } });
    expect(await entry(second.id)).not.toBeNull();
    await testDb.prisma.certificate.delete({ where: { id: second.id } });
    expect(await entry(second.id)).toBeNull();

    const canary = await device('canary', 'life', NOW, { isCanary: true });
    expect(await entry((await cert(canary.id, at(-1), at(30))).id)).toBeNull();
    const off = await device('off', 'life', NOW, { status: 'INACTIVE' });
    const offCert = await cert(off.id, at(-1), at(30));
    expect(await entry(offCert.id)).toBeNull();
    await testDb.prisma.device.update({ where: { id: off.id }, data: { status: 'ACTIVE' } });
    expect(await entry(offCert.id)).not.toBeNull();
    expect((await getRenewalPlan(testDb.prisma, { now: NOW, group: 'life' })).certificates).toBe(1); // the formerly inactive device's
    await expectCountsAgree();
  });

  it('a policy change recomputes its group only; removing the row goes back to the defaults', async () => {
    const a = await device('pol-a', 'pol-a', NOW);
    const ca = await cert(a.id, at(-165), at(200));
    const b = await device('pol-b', 'pol-b', NOW);
    const cb = await cert(b.id, at(-265), at(100));
    const before = (await entry(cb.id))!.opensAt;
    const input = { group: 'pol-a', windowMode: 'DAYS', windowPercent: '30', windowDays: '250', keyTypes: ['P-256'], minRsaBits: '2048', validityDays: '', tokenHours: '72', tokenUses: '1', maxRequestsPerDay: '' };
    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse(input));
    expect((await entry(ca.id))!.opensAt).toEqual(at(-50));
    expect((await entry(cb.id))!.opensAt).toEqual(before);
    // 250 days before expiry is behind us and the device reported since: missed.
    const plan = await getRenewalPlan(testDb.prisma, { now: NOW, group: 'pol-a' });
    expect(plan.atRisk.rows.map((r) => [r.deviceName, r.reason, r.windowOpensAt])).toEqual([['pol-a', 'missed', at(-50)]]);

    await testDb.prisma.estPolicy.delete({ where: { group: 'pol-a' } });
    // The defaults: the last 30 % of 365 days, still ahead.
    expect((await entry(ca.id))!.opensAt).toEqual(new Date(at(200).getTime() - 365 * DAY * 0.3));
    expect((await getRenewalPlan(testDb.prisma, { now: NOW, group: 'pol-a' })).atRisk.total).toBe(0);
  });

  it('a device reporting, falling silent, changing interval or group moves its certificate in and out of risk', async () => {
    const d = await device('seen', 'seen', at(-1));
    const c = await cert(d.id, at(-60), at(40)); // default window opens at +10 d
    const risk = async (now = NOW) => (await getRenewalPlan(testDb.prisma, { now, group: 'seen' })).atRisk;
    expect((await risk()).total).toBe(0);

    // Silent 45 days, 40 left: not expected back before expiry.
    await testDb.prisma.device.update({ where: { id: d.id }, data: { lastSeenAt: at(-45) } });
    expect((await risk()).byReason).toEqual({ expired: 0, missed: 0, silent: 1 });
    // It reports: fine again.
    await testDb.prisma.device.update({ where: { id: d.id }, data: { lastSeenAt: NOW } });
    expect((await risk()).total).toBe(0);
    // A reporting interval longer than the time left: silent again.
    await testDb.prisma.device.update({ where: { id: d.id }, data: { reportIntervalSec: 41 * 86_400 } });
    expect((await risk()).byReason.silent).toBe(1);
    await testDb.prisma.device.update({ where: { id: d.id }, data: { reportIntervalSec: 60 } });
    // Day 12: its window opened on day 10; a report on day 11 without renewing is a miss.
    await testDb.prisma.device.update({ where: { id: d.id }, data: { lastSeenAt: at(11) } });
    expect((await risk(at(12))).rows.map((r) => r.reason)).toEqual(['missed']);

    // Another group, another policy: the entry follows the device.
    await testDb.prisma.device.update({ where: { id: d.id }, data: { group: 'seen-elsewhere' } });
    expect(await entry(c.id)).toMatchObject({ group: 'seen-elsewhere' });
    expect((await risk(at(12))).total).toBe(0);
    expect(await countAtRisk(testDb.prisma, at(12))).toBe((await oracleCount(at(12))));
    expect((await getRenewalPlan(testDb.prisma, { now: NOW, group: 'seen' })).certificates).toBe(0);
    expect((await getRenewalPlan(testDb.prisma, { now: NOW, group: 'seen-elsewhere' })).certificates).toBe(1);
    await expectCountsAgree();
  });
});

describe('the at-risk list, page by page', () => {
  it('walks every entry once in expiry order, a page of 100 at a time, whatever the ties', async () => {
    // 230 expired certificates in a group of their own, three to an expiry day (ties broken by id).
    const total = 230;
    await testDb.prisma.device.createMany({
      data: Array.from({ length: total }, (_, i) => ({ id: `pg-${String(i).padStart(3, '0')}`, name: `pg-${i}`, group: 'paged', commonName: `pg-${i}.test`, lastSeenAt: at(-1), reportIntervalSec: 60 })),
    });
    for (let i = 0; i < total; i++) await cert(`pg-${String(i).padStart(3, '0')}`, at(-100), at(-1 - Math.floor(i / 3)));
    const seen: string[] = [];
    const froms: number[] = [];
    let after: string | null = null;
    for (;;) {
      const plan: Awaited<ReturnType<typeof getRenewalPlan>> = await getRenewalPlan(testDb.prisma, { now: NOW, group: 'paged', after: parseAtRiskCursor(after) });
      expect(plan.atRisk.total).toBe(total);
      froms.push(plan.atRisk.from);
      seen.push(...plan.atRisk.rows.map((r) => r.certificateId));
      if (!plan.atRisk.next) break;
      after = plan.atRisk.next;
    }
    expect(froms).toEqual([1, AT_RISK_PAGE + 1, 2 * AT_RISK_PAGE + 1]);
    const expected = await testDb.prisma.certificate.findMany({ where: { device: { group: 'paged' } }, orderBy: [{ expiresOn: 'asc' }, { id: 'asc' }], select: { id: true } });
    expect(seen).toEqual(expected.map((c) => c.id));
  });

  it('reads a cursor only in its own shape', () => {
    const c = { expiresOn: new Date('2027-01-24T00:00:00.000Z'), certificateId: 'cm1abc_-9' };
    expect(parseAtRiskCursor(encodeAtRiskCursor(c))).toEqual(c);
    for (const bad of [undefined, '', 'x', '2027-01-24_abc', "2027-01-24T00:00:00.000Z_a'; DROP", '2027-13-45T00:00:00.000Z_abc']) {
      expect(parseAtRiskCursor(bad)).toBeUndefined();
    }
  });
});

/** The per-group counts (the plan's "certificates") agree with the entries, group by group. */
async function expectCountsAgree() {
  const counted = await testDb.prisma.renewalPlanGroup.findMany({ where: { certificates: { not: 0 } }, orderBy: { group: 'asc' } });
  const entries = await testDb.prisma.renewalPlanEntry.groupBy({ by: ['group'], _count: { _all: true }, orderBy: { group: 'asc' } });
  expect(counted.map((c) => [c.group, c.certificates])).toEqual(entries.map((e) => [e.group, e._count._all]));
}

async function oracleCount(now: Date) {
  return [...(await oracle(now)).values()].filter((v) => v.reason).length;
}

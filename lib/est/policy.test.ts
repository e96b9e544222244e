// Per-group EST policy and the renewal planner, on a real database (PGlite, or the server in DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import { isAppError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { DEFAULT_EST_POLICY, EstPolicySchema, type EstPolicyInput } from '@/lib/validation/est-policy';
import { countAtRisk, getRenewalPlan } from './planner';
import { checkKey, checkRate, checkWindow, getEstPolicy, updateEstPolicy } from './policy';
import { createEnrollmentTokens } from './tokens';

let testDb: TestDatabase;
let admin: SessionUser;
let support: SessionUser;

const DAY = 86_400_000;
const NOW = new Date('2027-01-04T00:00:00.000Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

async function user(email: string, role: SessionUser['role']): Promise<SessionUser> {
  const u = await testDb.prisma.user.create({ data: { email, name: email.split('@')[0]!, role, passwordHash: 'x' } });
  return { id: u.id, email: u.email, name: u.name, role };
}

let serial = 0;
async function device(name: string, group: string, lastSeenAt: Date | null, reportIntervalSec = 60) {
  return testDb.prisma.device.create({ data: { id: `dev-${name}`, name, group, commonName: `${name}.test`, lastSeenAt, reportIntervalSec } });
}
async function cert(deviceId: string, issuedOn: Date, expiresOn: Date, extra: { status?: 'ACTIVE' | 'REVOKED'; supersededAt?: Date } = {}) {
  const n = String(++serial).padStart(6, '0');
  return testDb.prisma.certificate.create({
    data: {
      cloudflareId: `cf-${n}`,
      deviceId,
      serialNumber: `AB${n}`,
      ski: `ski${n}`,
      fingerprintSha256: `fp${n}`,
      commonName: deviceId,
      keyType: 'EC',
      keySize: 256,
      issuedOn,
      expiresOn,
      validityDays: Math.round((expiresOn.getTime() - issuedOn.getTime()) / DAY),
      pem: 'x',
      csr: 'x',
      ...extra,
    },
  });
}

const policyInput = (group: string, over: Partial<Record<keyof EstPolicyInput, unknown>> = {}) => ({
  group,
  windowMode: 'PERCENT',
  windowPercent: '30',
  windowDays: '30',
  keyTypes: ['RSA', 'P-256', 'P-384'],
  minRsaBits: '2048',
  validityDays: '',
  tokenHours: '72',
  tokenUses: '1',
  maxRequestsPerDay: '',
  ...over,
});

beforeAll(async () => {
  testDb = await createTestDatabase();
  admin = await user('admin@policy.test', 'ADMIN');
  support = await user('support@policy.test', 'SUPPORT');
});

afterAll(async () => {
  await testDb?.stop();
});

describe('EST policy validation', () => {
  it('parses what the form sends, blanks as "not set"', () => {
    const parsed = EstPolicySchema.parse(policyInput('lab', { keyTypes: 'P-256', validityDays: '90', maxRequestsPerDay: '4', refuseEarlyRenewal: 'true' }));
    expect(parsed).toMatchObject({ group: 'lab', windowPercent: 30, keyTypes: ['P-256'], minRsaBits: 2048, validityDays: 90, maxRequestsPerDay: 4, refuseEarlyRenewal: true });
    expect(EstPolicySchema.parse(policyInput('lab'))).toMatchObject({ validityDays: null, maxRequestsPerDay: null, refuseEarlyRenewal: false });
  });

  it('refuses out-of-range values with a message per field', () => {
    const r = EstPolicySchema.safeParse(
      policyInput('lab', { windowPercent: '0', windowDays: '99999', keyTypes: [], minRsaBits: '1024', validityDays: '1.5', tokenHours: '721', tokenUses: '0', maxRequestsPerDay: 'many', windowMode: 'WEEKS' }),
    );
    expect(r.success).toBe(false);
    const fields = Object.fromEntries(r.error!.issues.map((i) => [String(i.path[0]), i.message]));
    expect(fields).toEqual({
      windowMode: 'Choose a percentage of the lifetime or a number of days.',
      windowPercent: 'At least 1 %.',
      windowDays: 'At most 3650 days.',
      keyTypes: 'Accept at least one key type.',
      minRsaBits: 'The minimum RSA size is one of 2048, 3072, 4096.',
      validityDays: 'Use a whole number of days.',
      tokenHours: 'At most 720 hours.',
      tokenUses: 'At least 1 use.',
      maxRequestsPerDay: 'Enter a number of requests.',
    });
  });

  it('a group nobody configured follows the defaults (the values fixed in code before)', async () => {
    await device('lonely', 'unconfigured', null);
    expect(await getEstPolicy(testDb.prisma, 'unconfigured')).toEqual(DEFAULT_EST_POLICY);
  });

  it('an ADMIN sets a group policy, audited with what changed; bad input and other roles change nothing', async () => {
    await device('pol-1', 'pol', NOW);
    const audits = () => testDb.prisma.auditEvent.count({ where: { action: 'est.policy.update' } });

    await expect(updateEstPolicy(testDb.prisma, support, EstPolicySchema.parse(policyInput('pol')))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const unknown = await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse(policyInput('no-such-group'))).catch((e: unknown) => e);
    expect(isAppError(unknown) && unknown.code).toBe('BAD_INPUT');
    expect((unknown as Error).message).toBe('No device is in group "no-such-group".');
    await expect(updateEstPolicy(testDb.prisma, admin, { ...EstPolicySchema.parse(policyInput('pol')), windowPercent: 95 })).rejects.toThrow(/At most 90 %/);
    expect(await testDb.prisma.estPolicy.count()).toBe(0);
    expect(await audits()).toBe(0);

    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse(policyInput('pol', { windowMode: 'DAYS', windowDays: '14', keyTypes: ['P-384'], tokenHours: '5', tokenUses: '3' })));
    expect(await getEstPolicy(testDb.prisma, 'pol')).toMatchObject({ windowMode: 'DAYS', windowDays: 14, keyTypes: ['P-384'], tokenHours: 5, tokenUses: 3 });
    const event = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'est.policy.update' } });
    expect(event).toMatchObject({ actorEmail: admin.email, targetType: 'group', targetId: 'pol' });
    expect(event.details).toEqual({
      changed: ['windowMode', 'windowDays', 'keyTypes', 'tokenHours', 'tokenUses'],
      before: { windowMode: 'PERCENT', windowDays: 30, keyTypes: ['RSA', 'P-256', 'P-384'], tokenHours: 72, tokenUses: 1 },
      after: { windowMode: 'DAYS', windowDays: 14, keyTypes: ['P-384'], tokenHours: 5, tokenUses: 3 },
    });
  });

  it('tokens get their group policy lifetime and use count; a longer lifetime than the policy allows is refused', async () => {
    const before = Date.now();
    const [made] = await createEnrollmentTokens(testDb.prisma, admin, { deviceNames: ['pol-1'] });
    expect(made!.uses).toBe(3);
    expect(made!.expiresAt.getTime() - before).toBeGreaterThanOrEqual(5 * 3_600_000 - 1000);
    expect(made!.expiresAt.getTime() - before).toBeLessThan(5 * 3_600_000 + 60_000);
    expect(await testDb.prisma.enrollmentToken.findUniqueOrThrow({ where: { id: made!.id } })).toMatchObject({ uses: 3 });
    const tokens = await testDb.prisma.enrollmentToken.count();
    await expect(createEnrollmentTokens(testDb.prisma, admin, { deviceNames: ['pol-1'], validHours: 6 })).rejects.toThrow("Group pol's EST policy allows tokens of at most 5 hours.");
    expect(await testDb.prisma.enrollmentToken.count()).toBe(tokens);
    // Other groups keep the default: one use, 72 h.
    const [other] = await createEnrollmentTokens(testDb.prisma, admin, { deviceNames: ['lonely'] });
    expect(other!.uses).toBe(1);
    expect(other!.expiresAt.getTime() - before).toBeGreaterThanOrEqual(72 * 3_600_000 - 1000);
  });

  it('checks keys, the renewal window and the rate per device', async () => {
    const p = { ...DEFAULT_EST_POLICY, keyTypes: ['RSA' as const, 'P-384' as const], minRsaBits: 3072 };
    expect(checkKey(p, { keyType: 'EC', keySize: 384, curve: 'P-384' }, 'g')).toBeNull();
    expect(checkKey(p, { keyType: 'RSA', keySize: 4096 }, 'g')).toBeNull();
    expect(checkKey(p, { keyType: 'RSA', keySize: 2048 }, 'g')?.reason).toBe("group g's EST policy accepts RSA ≥ 3072, P-384; this CSR has an RSA 2048-bit key");
    expect(checkKey(p, { keyType: 'EC', keySize: 256, curve: 'P-256' }, 'g')?.rule).toBe('key');

    const life = { issuedOn: at(-50), expiresOn: at(50) }; // 30 %: the window opens at day +20
    expect(checkWindow(DEFAULT_EST_POLICY, life, NOW, 'g')).toBeNull(); // early renewal allowed by default
    const strict = { ...DEFAULT_EST_POLICY, refuseEarlyRenewal: true };
    expect(checkWindow(strict, life, NOW, 'g')?.reason).toBe("group g's EST policy renews in the last 30 % of its lifetime: this certificate's window opens on 2027-01-24 00:00 UTC");
    expect(checkWindow(strict, life, at(21), 'g')).toBeNull();
    expect(checkWindow({ ...strict, windowMode: 'DAYS', windowDays: 60 }, life, NOW, 'g')).toBeNull();

    const d = await device('rate-1', 'rate', NOW);
    const req = (id: string, requestedAt: Date) =>
      testDb.prisma.estRequest.create({ data: { id, kind: 'REENROLL', deviceId: d.id, clientFingerprint: 'f', csrSha256: id, requestedAt } });
    await req('r1', at(-2));
    await req('r2', new Date(NOW.getTime() - 3_600_000));
    await req('r3', NOW);
    const limited = { ...DEFAULT_EST_POLICY, maxRequestsPerDay: 2 };
    expect(await checkRate(testDb.prisma, DEFAULT_EST_POLICY, d.id, 'r3', NOW, 'rate')).toBeNull();
    expect(await checkRate(testDb.prisma, limited, d.id, 'r3', NOW, 'rate')).toBeNull(); // r2 only: r1 is older than a day
    expect((await checkRate(testDb.prisma, { ...limited, maxRequestsPerDay: 1 }, d.id, 'r3', NOW, 'rate'))?.reason).toBe(
      "group rate's EST policy allows 1 request per device per day; this device made 1 in the last 24 h",
    );
  });
});

describe('renewal planner', () => {
  it('counts windows opening per week under each group policy, the load, and the certificates at risk', async () => {
    // Group "plan-a": the default policy (the last 30 % of the lifetime).
    const ok = await device('plan-ok', 'plan-a', new Date(NOW.getTime() - 60_000));
    await cert(ok.id, at(-60), at(40)); // window opens at +10 d: week 1
    const missed = await device('plan-missed', 'plan-a', new Date(NOW.getTime() - 3_600_000));
    await cert(missed.id, at(-90), at(10)); // window opened at -20 d, the device reported since: missed
    const silent = await device('plan-silent', 'plan-a', at(-20), 3600);
    await cert(silent.id, at(-85), at(15)); // window opened at -15 d, silent 20 d > 15 d left: silent
    const expired = await device('plan-expired', 'plan-a', NOW);
    await cert(expired.id, at(-366), at(-1)); // expired unrenewed
    const fresh = await device('plan-fresh', 'plan-a', null);
    await cert(fresh.id, at(-1), at(364)); // never reported, but issued a day ago: 1 d of silence, 364 d left
    const old = await cert(ok.id, at(-400), at(5), { supersededAt: at(-60) }); // renewed: not planned, still in the zone
    await cert(ok.id, at(-400), at(5), { status: 'REVOKED' }); // gone from the zone
    // Group "plan-b": two certificates a year long, their window in 60 days' time under the policy set below.
    const b1 = await device('plan-b1', 'plan-b', NOW);
    await cert(b1.id, at(-300), at(65)); // 60-day window opens at +5 d
    const b2 = await device('plan-b2', 'plan-b', NOW);
    await cert(b2.id, new Date(at(-300).getTime() + 7_200_000), new Date(at(65).getTime() + 7_200_000)); // two hours later
    expect(old.id).toBeTruthy();

    const groupB = policyInput('plan-b', { windowMode: 'DAYS', windowDays: '60' });
    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse(groupB));

    const env = { CLOUDFLARE_API_RATE_LIMIT: '1200/300' };
    const a = await getRenewalPlan(testDb.prisma, { now: NOW, group: 'plan-a', env });
    expect(a).toMatchObject({ certificates: 5, inWindow: 2 });
    expect(a.weeks.map((w) => w.renewals)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(a.atRisk.byReason).toEqual({ expired: 1, missed: 1, silent: 1 });
    expect(a.atRisk.rows.map((r) => [r.deviceName, r.reason])).toEqual([
      ['plan-expired', 'expired'],
      ['plan-missed', 'missed'],
      ['plan-silent', 'silent'],
    ]);

    const b = await getRenewalPlan(testDb.prisma, { now: NOW, group: 'plan-b', env });
    expect(b).toMatchObject({ certificates: 2, inWindow: 0 });
    expect(b.weeks[0]).toMatchObject({ renewals: 2, peakHourRenewals: 1, calls: 4 });
    // 1,200 per 5 min less the bucket's slack: 1,176 usable per 303 s.
    expect(b.budget.requestsPerHour).toBe(Math.floor((1176 / 303) * 3600));
    expect(b.weeks[0]!.budgetShare).toBeCloseTo(4 / ((1176 / 303) * 7 * 86_400), 12);
    // The zone: every unrevoked certificate (the superseded one too, and the other groups'), plus the week's renewals.
    const zone = await testDb.prisma.certificate.count({ where: { status: { not: 'REVOKED' } } });
    expect(b.zoneCertificates).toBe(zone);
    expect(b.weeks[0]!.zonePeak).toBe(zone + 2);
    expect(b.weeks[1]!.zonePeak).toBe(zone);

    // The default policy would put plan-b in its window already (30 % of 365 days = 109.5 days).
    await updateEstPolicy(testDb.prisma, admin, EstPolicySchema.parse({ ...groupB, windowMode: 'PERCENT' }));
    const b2plan = await getRenewalPlan(testDb.prisma, { now: NOW, group: 'plan-b', env });
    expect(b2plan.inWindow).toBe(2);
    expect(b2plan.weeks.every((w) => w.renewals === 0)).toBe(true);

    // Fleet-wide: plan-b's devices now report inside their (wider) window without renewing: missed as well.
    const fleet = await getRenewalPlan(testDb.prisma, { now: NOW, env });
    expect(fleet.atRisk.byReason).toEqual({ expired: 1, missed: 3, silent: 1 });
    expect(await countAtRisk(testDb.prisma, NOW)).toBe(5);
    // 41 days on plan-ok's certificate has expired (at risk) and plan-fresh has been silent 42 days of 323 left (not).
    const later = await getRenewalPlan(testDb.prisma, { now: at(41), group: 'plan-a', env });
    expect(later.atRisk.rows.map((r) => [r.deviceName, r.reason])).toEqual([
      ['plan-expired', 'expired'],
      ['plan-missed', 'expired'],
      ['plan-silent', 'expired'],
      ['plan-ok', 'expired'],
    ]);
  });
});

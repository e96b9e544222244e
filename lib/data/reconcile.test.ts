import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import type { CloudflareConfig } from '@/lib/cloudflare';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';
import { issueCertificate, issueCertificateForDevice } from './issuance/issue';
import { pacedCloudflare, rateBudgetFor, type RateBudget } from '@/lib/cloudflare';
import { RECONCILE_ACTOR, reconcileCertificates } from './reconcile';
import { attachUntrackedCertificate, getReconcileOverview } from './reconcile-view';

let testDb: TestDatabase;
let cf: TestCloudflare;
let config: CloudflareConfig;
let admin: SessionUser;
let support: SessionUser;
const log: string[] = [];

const csr = async (cn: string) => (await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: cn } })).csrPem;
const client = (budget: RateBudget = rateBudgetFor(config, { prisma: () => testDb.prisma })) => pacedCloudflare({ config, budget, priority: 'background' });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

beforeAll(async () => {
  testDb = await createTestDatabase();
  cf = await startTestCloudflare({ rateLimit: null, revocationDelayMs: 20, log: (line) => log.push(line) });
  config = { apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl };
  const a = await testDb.prisma.user.create({ data: { email: 'admin@reconcile.test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } });
  const s = await testDb.prisma.user.create({ data: { email: 'support@reconcile.test', name: 'Support', role: 'SUPPORT', passwordHash: 'x' } });
  admin = { id: a.id, email: a.email, name: a.name, role: 'ADMIN' };
  support = { id: s.id, email: s.email, name: s.name, role: 'SUPPORT' };
});

afterAll(async () => {
  await cf?.cleanup();
  await testDb?.stop();
});

describe('reconcileCertificates', () => {
  it('finds all three kinds of drift, and a lost issuance', async () => {
    const device = await testDb.prisma.device.create({ data: { name: 'tracked-1', group: 'lab', commonName: 'tracked-1' } });
    // A lost answer: Cloudflare signed, certfleet crashed before writing anything.
    const lostDevice = await testDb.prisma.device.create({ data: { name: 'lost-answer', group: 'lab', commonName: 'lost-answer' } });
    await expect(
      issueCertificate(
        { device: { id: lostDevice.id }, csrPem: await csr('lost-answer'), validityDays: 30, source: 'ENROLLED', actor: admin, requestId: 'test:lost-answer' },
        { prisma: testDb.prisma, cloudflare: client(), onStep: () => Promise.reject(new Error('killed')) },
      ),
    ).rejects.toMatchObject({ code: 'RECORD_FAILED' });
    // While its request may still be running, reconcile leaves its certificate alone…
    expect(await reconcileCertificates(testDb.prisma, RECONCILE_ACTOR, { cloudflare: client() })).toMatchObject({ complete: true, healed: 0, untracked: 0 });
    expect(await testDb.prisma.certificate.count({ where: { deviceId: lostDevice.id } })).toBe(0);
    // …until nobody has worked on it for a while.
    await testDb.prisma.$executeRaw`UPDATE "IssuanceIntent" SET "cloudflareId" = NULL, "updatedAt" = now() - interval '10 minutes' WHERE id = 'test:lost-answer'`;

    const tracked = await issueCertificateForDevice(
      { deviceId: device.id, csrPem: await csr('tracked-1'), validityDays: 30, source: 'ENROLLED', actor: admin, requestId: 'test:tracked-1' },
      { prisma: testDb.prisma, cloudflare: client() },
    );
    const untouched = await issueCertificateForDevice(
      { deviceId: device.id, csrPem: await csr('tracked-1'), validityDays: 30, source: 'ENROLLED', actor: admin, requestId: 'test:tracked-2' },
      { prisma: testDb.prisma, cloudflare: client() },
    );
    // 1. Revoked in Cloudflare's dashboard, not through certfleet.
    await cf.sdk.clientCertificates.delete(tracked.certificate.cloudflareId, { zone_id: cf.zoneId });
    // 2. Issued outside certfleet.
    const outside = await cf.sdk.clientCertificates.create({ zone_id: cf.zoneId, csr: await csr('made-by-hand'), validity_days: 90 });
    // 3. Known to certfleet, unknown to Cloudflare.
    const ghost = await testDb.prisma.certificate.create({
      data: {
        cloudflareId: crypto.randomUUID(),
        deviceId: device.id,
        serialNumber: hex(16).toUpperCase(),
        ski: hex(20),
        fingerprintSha256: hex(32),
        commonName: 'tracked-1',
        keyType: 'EC',
        keySize: 256,
        issuedOn: new Date(),
        expiresOn: new Date(Date.now() + 86_400_000),
        validityDays: 1,
        pem: 'imported',
        csr: '',
      },
    });
    await expect(reconcileCertificates(testDb.prisma, support, { cloudflare: client() })).rejects.toMatchObject({ status: 403 });
    const summary = await reconcileCertificates(testDb.prisma, admin, { cloudflare: client() });
    expect(summary).toMatchObject({ complete: true, statusChanged: 1, untracked: 1, missing: 1, healed: 1, rateLimited: 0, listed: 4 });

    const revoked = await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: tracked.certificate.id } });
    expect(['PENDING_REVOCATION', 'REVOKED']).toContain(revoked.status);
    expect(revoked.revocationNote).toMatch(/outside certfleet/);
    expect(await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: untouched.certificate.id } })).toMatchObject({ status: 'ACTIVE' });
    const sync = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'certificate.status_sync', targetId: tracked.certificate.id } });
    expect(sync).toMatchObject({ actorEmail: admin.email, reason: 'Changed outside certfleet' });

    const untracked = await testDb.prisma.certificate.findUniqueOrThrow({ where: { cloudflareId: outside.id! } });
    expect(untracked).toMatchObject({ deviceId: null, source: 'RECONCILED', commonName: 'made-by-hand' });
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'certificate.untracked', targetId: untracked.id } })).toBe(1);

    expect((await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: ghost.id } })).missingAtCloudflareAt).toBeInstanceOf(Date);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'certificate.missing_at_cloudflare', targetId: ghost.id } })).toBe(1);

    const healed = await testDb.prisma.certificate.findFirstOrThrow({ where: { deviceId: lostDevice.id } });
    expect(healed.source).toBe('ENROLLED');
    expect(await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: 'test:lost-answer' } })).toMatchObject({ status: 'ISSUED', cloudflareId: healed.cloudflareId });

    // A second pass finds nothing new and writes no new drift events.
    const events = await testDb.prisma.auditEvent.count();
    const again = await reconcileCertificates(testDb.prisma, RECONCILE_ACTOR, { cloudflare: client() });
    expect(again).toMatchObject({ complete: true, untracked: 0, missing: 0, healed: 0 });
    expect(again.statusChanged).toBeLessThanOrEqual(1); // pending_revocation may have completed to revoked meanwhile
    expect(await testDb.prisma.auditEvent.count()).toBeLessThanOrEqual(events + 2);

    const overview = await getReconcileOverview(admin, testDb.prisma);
    expect(overview.lastRun?.runId).toBe(again.runId);
    expect(overview.state?.running).toBe(false);
    expect(overview.untracked.map((u) => u.id)).toEqual([untracked.id]);
    expect(overview.missing.map((m) => m.id)).toEqual([ghost.id]);

    // Attach the untracked certificate to a device.
    await expect(attachUntrackedCertificate(admin, untracked.id, 'no-such-device', testDb.prisma)).rejects.toMatchObject({ field: 'deviceName' });
    await attachUntrackedCertificate(admin, untracked.id, 'tracked-1', testDb.prisma);
    expect(await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: untracked.id } })).toMatchObject({ deviceId: device.id });
    await expect(attachUntrackedCertificate(admin, untracked.id, 'tracked-1', testDb.prisma)).rejects.toMatchObject({ field: 'certificateId' });
    await expect(attachUntrackedCertificate(support, untracked.id, 'tracked-1', testDb.prisma)).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a second run while one holds the lock', async () => {
    const slow = client();
    const first = reconcileCertificates(testDb.prisma, RECONCILE_ACTOR, { cloudflare: slow });
    // The lock is taken before the first request; a second run started meanwhile is refused.
    await new Promise((r) => setTimeout(r, 5));
    const second = reconcileCertificates(testDb.prisma, RECONCILE_ACTOR, { cloudflare: client() });
    const results = await Promise.allSettled([first, second]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'RUNNING' } });
  });

  it('pages through a large zone under a small rate limit without ever being locked out', async () => {
    // 1,500 certificates made straight in the emulator's store (no API calls): 30 pages of 50.
    const before = cf.store.listClientCertificates('all').length;
    const csrs = await Promise.all(Array.from({ length: 1500 - before }, (_, i) => csr(`bulk-${i}`)));
    for (const pem of csrs) await cf.store.createClientCertificate({ csr: pem, validity_days: 30 });
    const pages = Math.ceil(cf.store.listClientCertificates('all').length / 50);
    expect(pages).toBe(30);

    // 30 requests per 10 s; one more locks the token out for two minutes (longer than this test may take).
    cf.configure({ rateLimit: { limit: 30, windowMs: 10_000, lockoutMs: 120_000 } });
    log.length = 0;
    const pacer = rateBudgetFor(config, { prisma: () => testDb.prisma, policy: { limit: 30, windowMs: 10_000 } });
    await pacer.reset();
    try {
      const summary = await reconcileCertificates(testDb.prisma, RECONCILE_ACTOR, { cloudflare: client(pacer) });
      expect(summary).toMatchObject({ complete: true, pages, listed: 1500, rateLimited: 0 });
      expect(summary.untracked).toBe(1500 - before);
      // The pacing really happened: 30+ requests at 30 per 10 s cannot finish in under ~10 s. (How long it
      // takes at Cloudflare's real limit is the benchmark's business, not a test's.)
      expect(summary.durationMs).toBeGreaterThan(9_000);
    } finally {
      cf.configure({ rateLimit: null });
    }
    expect(pacer.stats.rateLimited).toBe(0);
    expect(log.filter((line) => / 429 /.test(line))).toEqual([]);
    expect(await testDb.prisma.certificate.count({ where: { source: 'RECONCILED', deviceId: null } })).toBe(1500 - before);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';

// revokeCertificates (lib/data/revocation.ts) and enrollment read db() and the CLOUDFLARE_* environment.
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { enrollDevice } = await import('./enrollment');
const { autoRevokeSuperseded, getRenewalTarget, renewDeviceCertificate } = await import('./renewal');
const { pacedCloudflare, rateBudgetFor } = await import('@/lib/cloudflare');

let testDb: TestDatabase;
let cf: TestCloudflare;
let admin: SessionUser;
let support: SessionUser;
let manager: SessionUser;

const keyAndCsr = (cn: string) => generateKeyAndCsr({ algorithm: 'EC', subject: { CN: cn } });
const browserId = () => crypto.randomUUID();
const options = () => {
  const config = { apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl };
  return { cloudflare: pacedCloudflare({ config, budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) }) };
};

async function user(email: string, role: SessionUser['role']): Promise<SessionUser> {
  const u = await testDb.prisma.user.create({ data: { email, name: email.split('@')[0], role, passwordHash: 'x' } });
  return { id: u.id, email: u.email, name: u.name, role };
}

async function enroll(name: string) {
  const { csrPem } = await keyAndCsr(name);
  return enrollDevice(admin, { requestId: browserId(), name, group: 'lab', commonName: name, validityDays: 30, keySource: 'csr', csrPem }, options());
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  cf = await startTestCloudflare({ rateLimit: null, revocationDelayMs: 50 });
  Object.assign(process.env, { CLOUDFLARE_API_TOKEN: cf.apiToken, CLOUDFLARE_ZONE_ID: cf.zoneId, CLOUDFLARE_BASE_URL: cf.apiBaseUrl });
  admin = await user('admin@renewal.test', 'ADMIN');
  support = await user('support@renewal.test', 'SUPPORT');
  manager = await user('manager@renewal.test', 'MANAGER');
});

afterAll(async () => {
  await cf?.cleanup();
  await testDb?.stop();
});

describe('enrollDevice', () => {
  it('creates the device and its certificate together, audited', async () => {
    const result = await enroll('enrolled-1');
    expect(result.outcome).toBe('issued');
    const device = await testDb.prisma.device.findUniqueOrThrow({ where: { name: 'enrolled-1' }, include: { certificates: true } });
    expect(device).toMatchObject({ group: 'lab', commonName: 'enrolled-1', status: 'ACTIVE' });
    expect(device.certificates).toHaveLength(1);
    expect(device.certificates[0]).toMatchObject({ source: 'ENROLLED', validityDays: 30, id: result.certificate.id });
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'device.enroll', targetId: device.id, actorEmail: admin.email } })).toBe(1);
  });

  it('refuses a CSR whose common name is not the one confirmed, a taken name, and roles without device:enroll', async () => {
    const { csrPem } = await keyAndCsr('something-else');
    const input = { requestId: browserId(), name: 'cn-mismatch', group: 'lab', commonName: 'cn-mismatch', validityDays: 30, keySource: 'csr' as const, csrPem };
    await expect(enrollDevice(admin, input, options())).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'commonName', message: expect.stringMatching(/"something-else"/) });
    const taken = await keyAndCsr('enrolled-1');
    await expect(
      enrollDevice(admin, { ...input, requestId: browserId(), name: 'enrolled-1', commonName: 'enrolled-1', csrPem: taken.csrPem }, options()),
    ).rejects.toMatchObject({ code: 'NAME_TAKEN', field: 'name' });
    await expect(enrollDevice(support, { ...input, commonName: 'something-else' }, options())).rejects.toMatchObject({ status: 403 });
    await expect(enrollDevice(manager, { ...input, commonName: 'something-else' }, options())).rejects.toMatchObject({ status: 403 });
    expect(await testDb.prisma.device.findUnique({ where: { name: 'cn-mismatch' } })).toBeNull();
  });
});

describe('renewal', () => {
  it('supersedes the old certificate and revokes it once the device posts with the new one', async () => {
    const enrolled = await enroll('rotating-1');
    const deviceId = enrolled.device!.id;
    const oldId = enrolled.certificate.id;
    const next = await keyAndCsr('rotating-1');
    const input = { requestId: browserId(), deviceId, replacesCertificateId: oldId, validityDays: 60, keySource: 'browser' as const, csrPem: next.csrPem, revokeOld: 'when-seen' as const };
    const renewed = await renewDeviceCertificate(admin, input, options());
    expect(renewed.outcome).toBe('issued');
    expect(renewed.certificate).toMatchObject({ source: 'RENEWAL', deviceId, validityDays: 60 });
    expect(renewed.oldCertificate).toMatchObject({ id: oldId, revoked: false, message: expect.stringMatching(/seen posting/) });
    const old = await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: oldId } });
    expect(old).toMatchObject({ supersededById: renewed.certificate.id, status: 'ACTIVE' });
    expect(old.supersededAt).toBeInstanceOf(Date);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'certificate.renew', targetId: renewed.certificate.id } })).toBe(1);

    // A retry of the same submit returns the same certificate and supersedes nothing else.
    const again = await renewDeviceCertificate(admin, input, options());
    expect(again).toMatchObject({ outcome: 'already-issued', certificate: { id: renewed.certificate.id } });
    // The old certificate cannot be renewed a second time by a new submit.
    await expect(renewDeviceCertificate(admin, { ...input, requestId: browserId() }, options())).rejects.toMatchObject({ code: 'BAD_INPUT' });

    const target = await getRenewalTarget(admin, deviceId, testDb.prisma);
    expect(target?.current?.id).toBe(renewed.certificate.id);
    expect(target?.waiting).toEqual([expect.objectContaining({ oldSerial: old.serialNumber, newSerial: renewed.certificate.serialNumber })]);

    // Not seen with the new certificate yet: nothing happens.
    let summary = await autoRevokeSuperseded(testDb.prisma, options());
    expect(summary).toMatchObject({ revoked: 0, waiting: 1 });
    // Still posting with the old one: still nothing.
    await testDb.prisma.device.update({ where: { id: deviceId }, data: { lastSeenFingerprint: old.fingerprintSha256, lastSeenAt: new Date() } });
    expect((await autoRevokeSuperseded(testDb.prisma, options())).revoked).toBe(0);
    // Seen with the new one.
    await testDb.prisma.device.update({ where: { id: deviceId }, data: { lastSeenFingerprint: renewed.certificate.fingerprintSha256 } });
    summary = await autoRevokeSuperseded(testDb.prisma, options());
    expect(summary).toMatchObject({ revoked: 1, waiting: 0 });
    const revoked = await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: oldId } });
    expect(revoked).toMatchObject({ revocationReason: 'SUPERSEDED', revokedByEmail: 'system:auto-revoke' });
    expect(['PENDING_REVOCATION', 'REVOKED']).toContain(revoked.status);
    expect(['pending_revocation', 'revoked']).toContain(cf.store.getClientCertificate(old.cloudflareId).status);
    expect(cf.store.getClientCertificate(renewed.certificate.cloudflareId).status).toBe('active');
    const event = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'certificate.revoke', targetId: oldId } });
    expect(event).toMatchObject({ actorEmail: 'system:auto-revoke', reason: expect.stringMatching(/Superseded/) });
    expect((await autoRevokeSuperseded(testDb.prisma, options())).checked).toBe(0);
  });

  it('a reading signed by the new certificate counts as seen', async () => {
    const enrolled = await enroll('rotating-2');
    const next = await keyAndCsr('rotating-2');
    const renewed = await renewDeviceCertificate(
      admin,
      { requestId: browserId(), deviceId: enrolled.device!.id, replacesCertificateId: enrolled.certificate.id, validityDays: 30, keySource: 'browser', csrPem: next.csrPem, revokeOld: 'when-seen' },
      options(),
    );
    await testDb.prisma.reading.create({
      data: { deviceId: enrolled.device!.id, certificateFingerprint: renewed.certificate.fingerprintSha256, time: new Date(), temperature: 4.2 },
    });
    expect((await autoRevokeSuperseded(testDb.prisma, options())).revoked).toBe(1);
  });

  it('revokes the old certificate right away on confirmation', async () => {
    const enrolled = await enroll('rotating-3');
    const next = await keyAndCsr('rotating-3');
    const renewed = await renewDeviceCertificate(
      admin,
      { requestId: browserId(), deviceId: enrolled.device!.id, replacesCertificateId: enrolled.certificate.id, validityDays: 30, keySource: 'browser', csrPem: next.csrPem, revokeOld: 'now' },
      options(),
    );
    expect(renewed.oldCertificate).toMatchObject({ revoked: true });
    const old = await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: enrolled.certificate.id } });
    expect(old).toMatchObject({ revocationReason: 'SUPERSEDED', revokedByEmail: admin.email, supersededById: renewed.certificate.id });
    expect(old.revocationNote).toContain(renewed.certificate.serialNumber);
  });

  it('refuses another common name and roles without certificate:issue', async () => {
    const enrolled = await enroll('rotating-4');
    const other = await keyAndCsr('not-rotating-4');
    const input = { requestId: browserId(), deviceId: enrolled.device!.id, replacesCertificateId: enrolled.certificate.id, validityDays: 30, keySource: 'csr' as const, csrPem: other.csrPem, revokeOld: 'now' as const };
    await expect(renewDeviceCertificate(admin, input, options())).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'commonName' });
    await expect(renewDeviceCertificate(support, input, options())).rejects.toMatchObject({ status: 403 });
    await expect(renewDeviceCertificate(manager, input, options())).rejects.toMatchObject({ status: 403 });
    await expect(getRenewalTarget(support, enrolled.device!.id, testDb.prisma)).rejects.toMatchObject({ status: 403 });
    expect(await testDb.prisma.certificate.count({ where: { deviceId: enrolled.device!.id } })).toBe(1);
  });
});

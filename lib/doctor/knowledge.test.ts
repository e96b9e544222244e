import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCa, issueClientCertificate as signWithCa, loadCa } from '@/emulator/ca';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { AuthError, type SessionUser } from '@/lib/auth/errors';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateKeyAndCsr, parseCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { diagnoseCertificate } = await import('./knowledge');
const { issueClientCertificate, revokeClientCertificate } = await import('@/lib/cloudflare');

let testDb: TestDatabase;
let cf: LocalCloudflare;
let dataDir: string;
const support: SessionUser = { id: 's', email: 'support@doctor.test', name: 'Support', role: 'SUPPORT' };
const manager: SessionUser = { id: 'm', email: 'manager@doctor.test', name: 'Manager', role: 'MANAGER' };

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  dataDir = mkdtempSync(path.join(tmpdir(), 'certfleet-doctor-'));
  cf = await startLocalCloudflare({ dataDir, apiPort: 0, revocationDelayMs: 0, rateLimit: null });
  Object.assign(process.env, { CLOUDFLARE_API_TOKEN: cf.apiToken, CLOUDFLARE_ZONE_ID: cf.zoneId, CLOUDFLARE_BASE_URL: cf.apiBaseUrl, CERTFLEET_ZONE_CA_FILE: cf.caFiles.zone });
});

afterAll(async () => {
  await cf?.stop();
  await testDb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function issueForDevice(name: string) {
  const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: name } });
  const issued = await issueClientCertificate({ csr: csrPem, validityDays: 90 });
  const device = await testDb.prisma.device.create({ data: { name, group: 'lab', commonName: name } });
  const row = await testDb.prisma.$transaction((tx) => recordIssuedCertificate(tx, issued, { deviceId: device.id, source: 'ENROLLED' }));
  return { issued, device, row };
}

describe('diagnoseCertificate', () => {
  it("knows a zone certificate, its device and Cloudflare's status", async () => {
    const { issued } = await issueForDevice('sensor-good');
    cf.store.setHostnameAssociations(['sensors.acme-corp.com']);
    const k = await diagnoseCertificate(support, issued.certificatePem);
    expect(k.zoneCa).toMatchObject({ configured: true, akiMatches: true, signatureValid: true });
    expect(k.record?.device).toMatchObject({ name: 'sensor-good', isCanary: false });
    expect(k.cloudflare).toEqual({ status: 'active', checkedLive: true, error: null });
    expect(k.mtls.hosts).toEqual([{ hostname: 'sensors.acme-corp.com', associated: true, enforced: null, checkedAt: null }]);
  });

  it('says revoked, by whom and why, from certfleet records and Cloudflare', async () => {
    const { issued, row } = await issueForDevice('sensor-stolen');
    await revokeClientCertificate(issued.id);
    await testDb.prisma.certificate.update({
      where: { id: row.id },
      data: { status: 'REVOKED', revocationReason: 'KEY_COMPROMISE', revocationNote: 'Stolen', revokedByEmail: 'support@certfleet.local', revokedAt: new Date() },
    });
    const k = await diagnoseCertificate(support, issued.certificatePem);
    expect(k.cloudflare.status).toBe('revoked');
    expect(k.record?.revocation).toMatchObject({ reason: 'KEY_COMPROMISE', note: 'Stolen', byEmail: 'support@certfleet.local' });
  });

  it('tells a certificate from another CA, even one reusing a known serial', async () => {
    const other = await loadCa(await createCa({ CN: 'Some Other CA' }, 15, 0));
    const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'intruder' } });
    const known = await testDb.prisma.certificate.findFirstOrThrow();
    const pem = await signWithCa(other, { csrDer: (await parseCsr(csrPem)).der, serialHex: known.serialNumber, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) });
    const k = await diagnoseCertificate(support, pem);
    expect(k.zoneCa).toMatchObject({ configured: true, akiMatches: false, signatureValid: false });
    expect(k.record).toBeNull();
    expect(k.cloudflare.status).toBeNull();
  });

  it('is refused to a MANAGER', async () => {
    const any = await testDb.prisma.certificate.findFirstOrThrow();
    await expect(diagnoseCertificate(manager, any.pem)).rejects.toBeInstanceOf(AuthError);
  });
});

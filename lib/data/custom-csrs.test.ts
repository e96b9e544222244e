import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { AuthError, type SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// A database and a local Cloudflare of this file's own: reconcile compares whole lists.
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { createCustomCsr, deleteCustomCsr, findCustomCsrs, findCustomCsrsAfter, getCustomCsr, getCustomCsrPem, reconcileCustomCsrsNow, uploadCustomCertificate } = await import('./custom-csrs');
const { reconcileCustomCsrs } = await import('@/lib/custom-csrs/reconcile');
const { CustomCsrError } = await import('@/lib/custom-csrs/errors');
const { CustomCsrSchema, parseCustomCsrListSearch } = await import('@/lib/validation/custom-csr');

let testDb: TestDatabase;
let cf: LocalCloudflare;
let dataDir: string;
const admin: SessionUser = { id: 'admin-1', email: 'admin@csr.test', name: 'Admin', role: 'ADMIN' };
const support: SessionUser = { id: 'support-1', email: 'support@csr.test', name: 'Support', role: 'SUPPORT' };
const manager: SessionUser = { id: 'manager-1', email: 'manager@csr.test', name: 'Manager', role: 'MANAGER' };

const input = (cn: string, keyType: 'rsa2048' | 'p256v1' = 'p256v1') =>
  CustomCsrSchema.parse({ country: 'US', state: 'MA', locality: 'Boston', organization: 'Acme', commonName: cn, sans: `www.${cn}`, keyType });

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  dataDir = mkdtempSync(path.join(tmpdir(), 'certfleet-csr-'));
  cf = await startLocalCloudflare({ dataDir, apiPort: 0, hostnameActivationDelayMs: 50, rateLimit: null });
  process.env.CLOUDFLARE_API_TOKEN = cf.apiToken;
  process.env.CLOUDFLARE_ZONE_ID = cf.zoneId;
  process.env.CLOUDFLARE_BASE_URL = cf.apiBaseUrl;
});

afterAll(async () => {
  await cf?.stop();
  await testDb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('custom CSRs against the local Cloudflare', () => {
  let p256: Awaited<ReturnType<typeof createCustomCsr>>;
  let rsa: Awaited<ReturnType<typeof createCustomCsr>>;

  it('creates a P-256 and an RSA CSR at Cloudflare, keeps them with real newlines, and audits', async () => {
    p256 = await createCustomCsr(admin, input('shop.acme-corp.com'));
    rsa = await createCustomCsr(admin, input('api.acme-corp.com', 'rsa2048'));
    expect(p256).toMatchObject({ keyType: 'p256v1', sans: ['shop.acme-corp.com', 'www.shop.acme-corp.com'] });
    const remote = await cf.store.customCsrs.get(p256.cloudflareId);
    expect(remote.key_type).toBe('p256v1');

    const detail = await getCustomCsr(support, p256.id);
    expect(detail?.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/);
    expect(detail?.csrPem).not.toContain('\\n');
    expect(detail?.parsed).toMatchObject({ keyType: 'EC', curve: 'P-256', signatureValid: true, sans: ['shop.acme-corp.com', 'www.shop.acme-corp.com'] });
    expect((await getCustomCsr(manager, rsa.id))?.parsed).toMatchObject({ keyType: 'RSA', keySize: 2048 });
    expect((await getCustomCsrPem(manager, rsa.id))?.pem).toContain('BEGIN CERTIFICATE REQUEST');

    const events = await testDb.prisma.auditEvent.findMany({ where: { action: 'customcsr.create' }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.actorEmail, e.targetLabel])).toEqual([
      [admin.email, 'shop.acme-corp.com'],
      [admin.email, 'api.acme-corp.com'],
    ]);
  });

  it('refuses SUPPORT and MANAGER every change, on the server', async () => {
    for (const user of [support, manager]) {
      await expect(createCustomCsr(user, input('no.acme-corp.com'))).rejects.toBeInstanceOf(AuthError);
      await expect(deleteCustomCsr(user, p256.id)).rejects.toBeInstanceOf(AuthError);
      await expect(reconcileCustomCsrsNow(user)).rejects.toBeInstanceOf(AuthError);
      await expect(uploadCustomCertificate(user, { id: p256.id, hostname: 'shop.acme-corp.com', certificate: 'x' })).rejects.toBeInstanceOf(AuthError);
    }
    expect(await testDb.prisma.customCsr.count()).toBe(2);
  });

  it('refuses a certificate for another key before Cloudflare sees it', async () => {
    const other = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'shop.acme-corp.com' }, sans: ['shop.acme-corp.com'] });
    const wrongKey = await cf.store.signWithPublicCa(other.csrPem, 30);
    const refused = await uploadCustomCertificate(admin, { id: p256.id, hostname: 'shop.acme-corp.com', certificate: wrongKey }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustomCsrError);
    expect((refused as InstanceType<typeof CustomCsrError>).extra.problems?.map((p) => p.code)).toEqual(['KEY_MISMATCH']);
    expect(cf.store.customHostnames.list()).toHaveLength(0);
    expect(await testDb.prisma.customHostname.count()).toBe(0);
  });

  it('uploads the certificate the public CA signed and stores the hostname with its expiry', async () => {
    const cert = await cf.store.signWithPublicCa((await getCustomCsrPem(admin, p256.id))!.pem, 60);
    const host = await uploadCustomCertificate(admin, { id: p256.id, hostname: 'shop.acme-corp.com', certificate: cert });
    expect(host.hostname).toBe('shop.acme-corp.com');
    expect(host.sslStatus).toBe('pending_deployment');
    expect(host.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    const remote = cf.store.customHostnames.list();
    expect(remote.map((h) => [h.hostname, h.ssl.custom_csr_id])).toEqual([['shop.acme-corp.com', p256.cloudflareId]]);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'customhostname.create', targetLabel: 'shop.acme-corp.com' } })).toBe(1);

    const inUse = await findCustomCsrs(manager, parseCustomCsrListSearch({ inUse: 'yes' }));
    expect(inUse.rows.map((r) => r.commonName)).toEqual(['shop.acme-corp.com']);
    const free = await findCustomCsrs(manager, parseCustomCsrListSearch({ inUse: 'no', keyType: 'rsa2048' }));
    expect(free.rows.map((r) => r.commonName)).toEqual(['api.acme-corp.com']);
  });

  it('says which hostname uses the key when Cloudflare refuses a delete (409 1420), and changes nothing', async () => {
    const auditBefore = await testDb.prisma.auditEvent.count();
    const refused = await deleteCustomCsr(admin, p256.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustomCsrError);
    expect((refused as Error).message).toContain('shop.acme-corp.com');
    expect((refused as InstanceType<typeof CustomCsrError>).code).toBe('KEY_IN_USE');
    expect(await testDb.prisma.customCsr.findUnique({ where: { id: p256.id } })).not.toBeNull();
    expect(await testDb.prisma.auditEvent.count()).toBe(auditBefore);
    expect(cf.store.customCsrs.get(p256.cloudflareId)).toBeTruthy();
  });

  it('deletes a CSR nobody uses, at Cloudflare and here', async () => {
    await deleteCustomCsr(admin, rsa.id);
    expect(cf.store.customCsrs.list().map((c) => c.id)).toEqual([p256.cloudflareId]);
    expect(await testDb.prisma.customCsr.findUnique({ where: { id: rsa.id } })).toBeNull();
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'customcsr.delete', targetId: rsa.id } })).toBe(1);
  });

  it('pages and sorts in SQL', async () => {
    for (const name of ['b', 'c', 'a']) await createCustomCsr(admin, input(`${name}.paging-corp.com`, 'rsa2048'));
    const page = await findCustomCsrs(admin, parseCustomCsrListSearch({ sort: 'commonName', dir: 'asc', perPage: '10', q: 'paging' }));
    expect(page.rows.map((r) => r.commonName)).toEqual(['a.paging-corp.com', 'b.paging-corp.com', 'c.paging-corp.com']);
    expect(page.total).toBe(3);
  });

  it('pages by cursor with the same filters, every row once, while rows are added (the REST API)', async () => {
    const filter = { q: 'paging', keyType: 'rsa2048' as const, inUse: false, limit: 2 };
    const first = await findCustomCsrsAfter(admin, filter);
    expect(first.rows).toHaveLength(2);
    expect(first.nextCursor).toBe(first.rows[1]!.id);
    await createCustomCsr(admin, input('d.paging-corp.com', 'rsa2048'));
    await createCustomCsr(admin, input('e.paging-corp.com'));
    const second = await findCustomCsrsAfter(admin, { ...filter, cursor: first.nextCursor! });
    const rest = second.nextCursor ? [...second.rows, ...(await findCustomCsrsAfter(admin, { ...filter, cursor: second.nextCursor })).rows] : second.rows;
    const seen = [...first.rows, ...rest].map((r) => r.commonName).sort();
    expect(seen).toEqual(['a.paging-corp.com', 'b.paging-corp.com', 'c.paging-corp.com', 'd.paging-corp.com']);
    await expect(findCustomCsrsAfter({ ...admin, role: 'MANAGER' }, filter)).resolves.toMatchObject({ rows: expect.any(Array) });
  });

  it('reconciles: imports what Cloudflare has, drops what it lost, follows hostname status', async () => {
    const outside = await cf.store.customCsrs.create({ country: 'DE', state: 'HH', locality: 'Hamburg', organization: 'Outside', common_name: 'outside-corp.com', sans: ['outside-corp.com'] });
    const lost = await testDb.prisma.customCsr.findFirstOrThrow({ where: { commonName: 'a.paging-corp.com' } });
    cf.store.customCsrs.delete(lost.cloudflareId);
    await new Promise((r) => setTimeout(r, 80)); // the hostname goes active after hostnameActivationDelayMs

    const summary = await reconcileCustomCsrs(testDb.prisma);
    expect(summary).toEqual({ csrsImported: 1, csrsRemoved: 1, hostnamesImported: 0, hostnamesUpdated: 1, hostnamesRemoved: 0 });
    expect(await testDb.prisma.customCsr.findUnique({ where: { cloudflareId: outside.id } })).toMatchObject({ commonName: 'outside-corp.com', keyType: 'rsa2048' });
    expect(await testDb.prisma.customCsr.findUnique({ where: { id: lost.id } })).toBeNull();
    expect((await testDb.prisma.customHostname.findFirstOrThrow({ where: { hostname: 'shop.acme-corp.com' } })).sslStatus).toBe('active');
    const events = await testDb.prisma.auditEvent.findMany({ where: { action: { startsWith: 'custom' }, actorEmail: 'system:reconcile-custom-csrs' } });
    expect(events.map((e) => e.action).sort()).toEqual(['customcsr.reconcile.import', 'customcsr.reconcile.remove', 'customhostname.reconcile.update']);

    expect(await reconcileCustomCsrs(testDb.prisma)).toEqual({ csrsImported: 0, csrsRemoved: 0, hostnamesImported: 0, hostnamesUpdated: 0, hostnamesRemoved: 0 });
  });

  it('reconcile never removes a CSR made after its listing began (a person creating one meanwhile)', async () => {
    // Cloudflare is listed first, certfleet read after: a row newer than the listing is not in that list.
    const base = { commonName: 'meanwhile-corp.com', sans: ['meanwhile-corp.com'], country: 'US', state: 'MA', locality: 'Boston', organization: 'Meanwhile', keyType: 'rsa2048' as const, csr: 'not read here' };
    const meanwhile = await testDb.prisma.customCsr.create({ data: { ...base, cloudflareId: 'made-while-listing', createdAt: new Date(Date.now() + 60_000) } });
    expect((await reconcileCustomCsrs(testDb.prisma)).csrsRemoved).toBe(0);
    expect(await testDb.prisma.customCsr.findUnique({ where: { id: meanwhile.id } })).not.toBeNull();
    // Once it is older than a listing that does not have it, it was deleted at Cloudflare.
    await testDb.prisma.customCsr.update({ where: { id: meanwhile.id }, data: { createdAt: new Date(Date.now() - 1_000) } });
    expect((await reconcileCustomCsrs(testDb.prisma)).csrsRemoved).toBe(1);
    expect(await testDb.prisma.customCsr.findUnique({ where: { id: meanwhile.id } })).toBeNull();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { AuthError, type SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { addMtlsHost, getMtlsHosts, getMtlsOverviewFlags, removeMtlsHost, runEnforcementCheckNow, unwatchMtlsHost } = await import('./mtls');
const { MtlsError } = await import('@/lib/mtls/errors');

let testDb: TestDatabase;
let cf: LocalCloudflare;
let dataDir: string;
const admin: SessionUser = { id: 'a', email: 'admin@mtls.test', name: 'Admin', role: 'ADMIN' };
const support: SessionUser = { id: 's', email: 'support@mtls.test', name: 'Support', role: 'SUPPORT' };
const manager: SessionUser = { id: 'm', email: 'manager@mtls.test', name: 'Manager', role: 'MANAGER' };

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  dataDir = mkdtempSync(path.join(tmpdir(), 'certfleet-mtls-data-'));
  cf = await startLocalCloudflare({ dataDir, apiPort: 0, rateLimit: null });
  process.env.CLOUDFLARE_API_TOKEN = cf.apiToken;
  process.env.CLOUDFLARE_ZONE_ID = cf.zoneId;
  process.env.CLOUDFLARE_BASE_URL = cf.apiBaseUrl;
});

afterAll(async () => {
  await cf?.stop();
  await testDb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('mTLS hosts data', () => {
  it('adds a host at Cloudflare, refuses a duplicate, removes it and keeps watching it, all audited', async () => {
    cf.store.setHostnameAssociations(['legacy.acme-corp.com']);
    expect(await addMtlsHost(admin, 'sensors.acme-corp.com')).toEqual(['legacy.acme-corp.com', 'sensors.acme-corp.com']);
    expect(cf.store.hostnameAssociations()).toContain('sensors.acme-corp.com');
    await expect(addMtlsHost(admin, 'sensors.acme-corp.com')).rejects.toMatchObject({ code: 'DUPLICATE' });

    await removeMtlsHost(admin, 'sensors.acme-corp.com');
    expect(cf.store.hostnameAssociations()).toEqual(['legacy.acme-corp.com']);
    const view = await getMtlsHosts(manager);
    expect(view.hosts.map((h) => [h.hostname, h.associated, h.watched])).toEqual([
      ['legacy.acme-corp.com', true, false],
      ['sensors.acme-corp.com', false, true],
    ]);
    expect(view.ruleExpression).toBe('(http.host in {"legacy.acme-corp.com"}) and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)');

    expect((await getMtlsOverviewFlags(support)).hosts).toEqual([{ hostname: 'sensors.acme-corp.com', latest: null }]);
    await expect(unwatchMtlsHost(admin, 'legacy.acme-corp.com')).rejects.toBeInstanceOf(MtlsError);
    await unwatchMtlsHost(admin, 'sensors.acme-corp.com');
    expect((await getMtlsOverviewFlags(support)).hosts).toEqual([]);

    const actions = (await testDb.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } })).map((e) => [e.action, e.actorEmail, e.targetLabel]);
    expect(actions).toEqual([
      ['mtls.host.add', admin.email, 'sensors.acme-corp.com'],
      ['mtls.host.remove', admin.email, 'sensors.acme-corp.com'],
      ['mtls.host.unwatch', admin.email, 'sensors.acme-corp.com'],
    ]);
  });

  it('refuses SUPPORT and MANAGER every change on the server', async () => {
    for (const user of [support, manager]) {
      await expect(addMtlsHost(user, 'x.acme-corp.com')).rejects.toBeInstanceOf(AuthError);
      await expect(removeMtlsHost(user, 'legacy.acme-corp.com')).rejects.toBeInstanceOf(AuthError);
      await expect(unwatchMtlsHost(user, 'legacy.acme-corp.com')).rejects.toBeInstanceOf(AuthError);
      await expect(runEnforcementCheckNow(user)).rejects.toBeInstanceOf(AuthError);
    }
    expect(cf.store.hostnameAssociations()).toEqual(['legacy.acme-corp.com']);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { AuthError, assertCan, type SessionUser } from './errors';

// A database of this file's own, so token and audit counts are this file's alone.
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('server-only', () => ({}));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { authenticateApiToken, bearerToken, createApiToken, listApiTokens, revokeApiToken, roleWithin } = await import('./api-tokens');
const { recordAudit } = await import('@/lib/audit');

let testDb: TestDatabase;
let admin: SessionUser;
let support: SessionUser;
let manager: SessionUser;

async function seedUser(email: string, role: SessionUser['role']): Promise<SessionUser> {
  const user = await testDb.prisma.user.create({ data: { email, name: email.split('@')[0]!, role, passwordHash: 'x' } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  admin = await seedUser('admin@tokens.test', 'ADMIN');
  support = await seedUser('support@tokens.test', 'SUPPORT');
  manager = await seedUser('manager@tokens.test', 'MANAGER');
});
afterAll(async () => {
  await testDb?.stop();
});

describe('API tokens', () => {
  it('orders roles by what they may do', () => {
    expect(roleWithin('MANAGER', 'SUPPORT')).toBe(true);
    expect(roleWithin('SUPPORT', 'ADMIN')).toBe(true);
    expect(roleWithin('ADMIN', 'SUPPORT')).toBe(false);
    expect(roleWithin('SUPPORT', 'MANAGER')).toBe(false);
  });

  it('shows the secret once, keeps only its hash, and acts as the owner with the token’s role', async () => {
    const { token, secret } = await createApiToken(support, { name: 'incident bot', role: 'SUPPORT', readOnly: false, expiresInDays: 30 });
    expect(secret).toMatch(/^cfat_[0-9a-f]{40}$/);
    expect(token.prefix).toBe(secret.slice(0, 13));
    const row = await testDb.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice(5));
    const acting = await authenticateApiToken(secret);
    expect(acting).toMatchObject({ id: support.id, email: support.email, role: 'SUPPORT', token: { id: token.id, name: 'incident bot', readOnly: false } });
    expect((await testDb.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt).not.toBeNull();
    const [created] = await testDb.prisma.auditEvent.findMany({ where: { action: 'api_token.create', targetId: token.id } });
    expect(created).toMatchObject({ actorEmail: support.email });
    expect(JSON.stringify(created!.details)).not.toContain(secret);
  });

  it('refuses a role above the owner’s and bad input, making nothing', async () => {
    const before = await testDb.prisma.apiToken.count();
    await expect(createApiToken(manager, { name: 'too high', role: 'ADMIN', readOnly: false, expiresInDays: 30 })).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'A token’s role cannot be above your own (MANAGER).' });
    await expect(createApiToken(support, { name: ' ', role: 'SUPPORT', readOnly: false, expiresInDays: 30 })).rejects.toMatchObject({ code: 'BAD_INPUT', fieldErrors: { name: ['Give the token a name (what uses it).'] } });
    await expect(createApiToken(support, { name: 'forever', role: 'SUPPORT', readOnly: false, expiresInDays: 9999 })).rejects.toMatchObject({ code: 'BAD_INPUT', fieldErrors: { expiresInDays: ['At most 366 days: tokens must expire.'] } });
    expect(await testDb.prisma.apiToken.count()).toBe(before);
  });

  it('applies the lower of the token’s role and the owner’s current role, and refuses a disabled owner', async () => {
    const owner = await seedUser('demoted@tokens.test', 'ADMIN');
    const { secret } = await createApiToken(owner, { name: 'ci', role: 'ADMIN', readOnly: false, expiresInDays: 1 });
    expect((await authenticateApiToken(secret)).role).toBe('ADMIN');
    await testDb.prisma.user.update({ where: { id: owner.id }, data: { role: 'MANAGER' } });
    expect((await authenticateApiToken(secret)).role).toBe('MANAGER');
    await testDb.prisma.user.update({ where: { id: owner.id }, data: { disabled: true } });
    await expect(authenticateApiToken(secret)).rejects.toEqual(new AuthError(401, 'The owner of this API token is disabled.'));
  });

  it('refuses a revoked, an expired, an unknown and a malformed token at once', async () => {
    const { token, secret } = await createApiToken(support, { name: 'leaked', role: 'MANAGER', readOnly: false, expiresInDays: 1 });
    await authenticateApiToken(secret);
    await revokeApiToken(support, token.id);
    await expect(authenticateApiToken(secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API token was revoked.' });
    const expired = await createApiToken(support, { name: 'old', role: 'MANAGER', readOnly: false, expiresInDays: 1 });
    await expect(authenticateApiToken(expired.secret, new Date(Date.now() + 2 * 86_400_000))).rejects.toMatchObject({ message: 'This API token has expired: make a new one in Settings.' });
    await expect(authenticateApiToken(`cfat_${'0'.repeat(40)}`)).rejects.toMatchObject({ message: 'Unknown API token.' });
    await expect(authenticateApiToken('ghp_abc')).rejects.toMatchObject({ message: 'That is not a certfleet API token (they start with cfat_).' });
  });

  it('lets the owner and an ADMIN revoke, nobody else (and says no such token to them)', async () => {
    const { token } = await createApiToken(support, { name: 'mine', role: 'MANAGER', readOnly: false, expiresInDays: 1 });
    await expect(revokeApiToken(manager, token.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await revokeApiToken(admin, token.id)).state).toBe('revoked');
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'api_token.revoke', targetId: token.id } })).toBe(1);
    await revokeApiToken(admin, token.id); // twice: no second event
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'api_token.revoke', targetId: token.id } })).toBe(1);
    expect((await listApiTokens(manager)).map((t) => t.id)).not.toContain(token.id);
    expect((await listApiTokens(admin, { everyone: true })).map((t) => t.id)).toContain(token.id);
    await expect(listApiTokens(support, { everyone: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a read-only token may read but change nothing, and a token cannot make tokens', async () => {
    const { secret } = await createApiToken(admin, { name: 'dashboards', role: 'ADMIN', readOnly: true, expiresInDays: 1 });
    const acting = await authenticateApiToken(secret);
    expect(() => assertCan(acting, 'certificate:view')).not.toThrow();
    expect(() => assertCan(acting, 'certificate:revoke')).toThrow('The API token “dashboards” is read-only: it may not revoke certificates.');
    await expect(createApiToken(acting, { name: 'child', role: 'MANAGER', readOnly: false, expiresInDays: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('records the token with every audit event it causes', async () => {
    const { token, secret } = await createApiToken(support, { name: 'line 3', role: 'SUPPORT', readOnly: false, expiresInDays: 1 });
    const acting = await authenticateApiToken(secret);
    await testDb.prisma.$transaction((tx) => recordAudit(tx, { actor: acting, action: 'test.touch', targetType: 'test', details: { n: 1 } }));
    const [event] = await testDb.prisma.auditEvent.findMany({ where: { action: 'test.touch' } });
    expect(event).toMatchObject({ actorId: support.id, actorEmail: support.email, details: { n: 1, apiToken: { id: token.id, name: 'line 3', prefix: token.prefix } } });
  });

  it('counts requests per token per minute across callers and refuses the one too many with Retry-After', async () => {
    process.env.CERTFLEET_TOKEN_REQUESTS_PER_MINUTE = '5';
    try {
      const { secret } = await createApiToken(manager, { name: 'busy', role: 'MANAGER', readOnly: false, expiresInDays: 1 });
      const now = new Date();
      const answers = await Promise.allSettled(Array.from({ length: 8 }, () => authenticateApiToken(secret, now)));
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(5);
      const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason);
      expect(refused).toHaveLength(3);
      expect(refused[0]).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfter: 60 });
      // The next minute starts a new window.
      await expect(authenticateApiToken(secret, new Date(now.getTime() + 61_000))).resolves.toMatchObject({ role: 'MANAGER' });
    } finally {
      delete process.env.CERTFLEET_TOKEN_REQUESTS_PER_MINUTE;
    }
  });

  it('reads only Bearer headers', () => {
    expect(bearerToken('Bearer cfat_abc')).toBe('cfat_abc');
    expect(bearerToken('bearer  cfat_abc ')).toBe('cfat_abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(null)).toBeNull();
  });
});

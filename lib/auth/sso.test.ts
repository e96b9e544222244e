import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { readAuthConfig } from './sso-config';

// A database of this file's own: it counts users and audit events.
const holder = vi.hoisted(() => {
  process.env.BCRYPT_COST = '4';
  return { prisma: undefined as PrismaClient | undefined };
});
vi.mock('server-only', () => ({}));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { signInWithSso } = await import('./sso');
const { authenticate } = await import('./authenticate');
const { hashPassword } = await import('./password');
const { sessionUser, startSession } = await import('./sessions');
const { resetUserPassword } = await import('@/lib/data/users');

const config = readAuthConfig({
  OIDC_ISSUER: 'http://127.0.0.1:9/idp',
  OIDC_CLIENT_ID: 'certfleet',
  OIDC_CLIENT_SECRET: 'test-secret',
  OIDC_ROLE_MAP: 'fleet-admins=ADMIN,fleet-support=SUPPORT,fleet-managers=MANAGER',
}).sso!;

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
});
afterAll(async () => {
  await testDb?.stop();
});

const claims = (sub: string, email: string, groups: string[], extra: Record<string, unknown> = {}) => ({ sub, email, email_verified: true, name: `Person ${sub}`, groups, ...extra });

describe('signInWithSso', () => {
  it('makes a user just in time, without a password, with the role the groups map to (highest wins), audited', async () => {
    const result = await signInWithSso(claims('sub-new', 'New.Person@SSO.test', ['everyone', 'fleet-managers', 'fleet-support']), config);
    expect(result).toMatchObject({ ok: true, user: { email: 'new.person@sso.test', name: 'Person sub-new', role: 'SUPPORT' } });
    const row = await testDb.prisma.user.findUniqueOrThrow({ where: { email: 'new.person@sso.test' } });
    expect(row).toMatchObject({ passwordHash: null, oidcIssuer: config.issuer, oidcSubject: 'sub-new', role: 'SUPPORT' });
    const event = await testDb.prisma.auditEvent.findFirst({ where: { action: 'user.create', targetId: row.id } });
    expect(event).toMatchObject({ actorId: null, actorEmail: 'system:sso' });
    expect(event?.details).toMatchObject({ role: 'SUPPORT', via: 'oidc', groups: ['fleet-managers', 'fleet-support'] });
  });

  it('refuses a person whose groups map to nothing, and makes no user', async () => {
    const before = await testDb.prisma.user.count();
    expect(await signInWithSso(claims('sub-nobody', 'nobody@sso.test', ['everyone']), config)).toEqual({ ok: false, reason: 'SsoNoRole' });
    expect(await signInWithSso(claims('sub-nobody', 'nobody@sso.test', []), config)).toEqual({ ok: false, reason: 'SsoNoRole' });
    expect(await testDb.prisma.user.count()).toBe(before);
    expect(await testDb.prisma.user.findUnique({ where: { email: 'nobody@sso.test' } })).toBeNull();
  });

  it('links an existing user by verified email, keeps their password, and finds them by subject afterwards', async () => {
    const existing = await testDb.prisma.user.create({ data: { email: 'linked@sso.test', name: 'Linked', role: 'MANAGER', passwordHash: await hashPassword('linked-password-1') } });
    const first = await signInWithSso(claims('sub-linked', 'linked@sso.test', ['fleet-managers']), config);
    expect(first).toMatchObject({ ok: true, user: { id: existing.id, role: 'MANAGER' } });
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'user.sso.link', targetId: existing.id } })).toBe(1);
    // The provider changed the email: the subject still finds the same user.
    const later = await signInWithSso(claims('sub-linked', 'renamed@sso.test', ['fleet-managers']), config);
    expect(later).toMatchObject({ ok: true, user: { id: existing.id } });
    expect(await authenticate('linked@sso.test', 'linked-password-1')).toMatchObject({ id: existing.id });
  });

  it('refuses to match an email the provider did not verify, or one linked to another subject', async () => {
    await testDb.prisma.user.create({ data: { email: 'unverified@sso.test', name: 'U', role: 'ADMIN', passwordHash: await hashPassword('unverified-pass-1') } });
    expect(await signInWithSso(claims('sub-attacker', 'unverified@sso.test', ['fleet-admins'], { email_verified: false }), config)).toEqual({ ok: false, reason: 'SsoEmail' });
    expect(await signInWithSso(claims('sub-attacker', 'unverified@sso.test', ['fleet-admins'], { email_verified: 'true' }), config)).toEqual({ ok: false, reason: 'SsoEmail' });
    expect(await signInWithSso(claims('sub-other', 'linked@sso.test', ['fleet-admins']), config)).toEqual({ ok: false, reason: 'SsoLinkedElsewhere' });
    expect(await testDb.prisma.user.findUniqueOrThrow({ where: { email: 'unverified@sso.test' } })).toMatchObject({ oidcSubject: null, role: 'ADMIN' });
  });

  it('re-reads the role at each sign-in: a change is applied, audited, and ends the older sessions', async () => {
    const first = await signInWithSso(claims('sub-mover', 'mover@sso.test', ['fleet-managers']), config);
    if (!first.ok) throw new Error('expected a sign-in');
    const client = { browser: 'Chrome 131 on Linux', address: '127.0.0.1' };
    const firstSession = await startSession(first.user.id, client);
    expect(await sessionUser(first.user.id, first.user.sessionVersion, firstSession)).toMatchObject({ role: 'MANAGER' });

    const promoted = await signInWithSso(claims('sub-mover', 'mover@sso.test', ['fleet-managers', 'fleet-admins']), config);
    if (!promoted.ok) throw new Error('expected a sign-in');
    expect(promoted.user.role).toBe('ADMIN');
    expect(promoted.user.sessionVersion).toBe(first.user.sessionVersion + 1);
    expect(await sessionUser(first.user.id, first.user.sessionVersion, firstSession)).toBeNull();
    // The ended session shows as ended in the session lists, with why.
    expect(await testDb.prisma.userSession.findUniqueOrThrow({ where: { id: firstSession } })).toMatchObject({ endReason: 'role change', endedByEmail: 'system:sso' });
    expect(await sessionUser(first.user.id, promoted.user.sessionVersion, await startSession(first.user.id, client))).toMatchObject({ role: 'ADMIN' });
    const event = await testDb.prisma.auditEvent.findFirst({ where: { action: 'user.role.change', targetId: first.user.id } });
    expect(event?.details).toMatchObject({ from: 'MANAGER', to: 'ADMIN', via: 'oidc' });

    // The same groups again: nothing changes, nothing is audited, the session version stays.
    const again = await signInWithSso(claims('sub-mover', 'mover@sso.test', ['fleet-admins']), config);
    expect(again).toMatchObject({ ok: true, user: { sessionVersion: promoted.user.sessionVersion } });
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'user.role.change', targetId: first.user.id } })).toBe(1);

    // Out of every mapped group: refused, and the stored role is left as it was.
    expect(await signInWithSso(claims('sub-mover', 'mover@sso.test', []), config)).toEqual({ ok: false, reason: 'SsoNoRole' });
    expect(await testDb.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } })).toMatchObject({ role: 'ADMIN' });
  });

  it('refuses a disabled user', async () => {
    const made = await signInWithSso(claims('sub-disabled', 'disabled@sso.test', ['fleet-support']), config);
    if (!made.ok) throw new Error('expected a sign-in');
    await testDb.prisma.user.update({ where: { id: made.user.id }, data: { disabled: true } });
    expect(await signInWithSso(claims('sub-disabled', 'disabled@sso.test', ['fleet-support']), config)).toEqual({ ok: false, reason: 'SsoDisabled' });
  });
});

describe('an SSO-only account and passwords', () => {
  it('cannot be signed in to with any password, and an admin cannot give it one', async () => {
    const made = await signInWithSso(claims('sub-nopass', 'nopass@sso.test', ['fleet-admins']), config);
    if (!made.ok) throw new Error('expected a sign-in');
    expect(await authenticate('nopass@sso.test', 'anything-at-all')).toBeNull();
    expect(await authenticate('nopass@sso.test', '')).toBeNull();
    await expect(resetUserPassword(made.user, made.user.id, 'a-new-password-1')).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/only through single sign-on/) });
    expect(await testDb.prisma.user.findUniqueOrThrow({ where: { id: made.user.id } })).toMatchObject({ passwordHash: null });
  });
});

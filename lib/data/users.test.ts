import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { AuthError, type SessionUser } from '@/lib/auth/errors';

// A database of this file's own: the last-admin rule counts every admin, so no other test's rows may count.
const holder = vi.hoisted(() => {
  process.env.BCRYPT_COST = '4'; // the rules under test do not depend on bcrypt's cost
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

const { changeUserRole, createUser, findUsers, resetUserPassword, setUserDisabled, UserChangeError } = await import('./users');
const { authenticate, clientAddress } = await import('@/lib/auth/authenticate');
const { endSessions, sessionUser, startSession } = await import('@/lib/auth/sessions');
const { hashPassword } = await import('@/lib/auth/password');
const { parseUserListSearch } = await import('@/lib/validation/user');

let testDb: TestDatabase;
let admin: SessionUser;
let manager: SessionUser;
let support: SessionUser;

async function seedUser(email: string, role: SessionUser['role'], password = 'seeded-password-1'): Promise<SessionUser> {
  const user = await testDb.prisma.user.create({
    data: { email, name: email.split('@')[0], role, passwordHash: await hashPassword(password) },
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  admin = await seedUser('admin@users.test', 'ADMIN');
  manager = await seedUser('manager@users.test', 'MANAGER');
  support = await seedUser('support@users.test', 'SUPPORT');
});

afterAll(async () => {
  await testDb?.stop();
});

const newUser = (email: string) => ({ email, name: 'New Person', role: 'SUPPORT' as const, password: 'initial-password-1' });

describe('users data', () => {
  it('creates a user as ADMIN and records who did it', async () => {
    const created = await createUser(admin, newUser('created@users.test'));
    expect(created).toMatchObject({ email: 'created@users.test', role: 'SUPPORT', disabled: false });
    const event = await testDb.prisma.auditEvent.findFirst({ where: { action: 'user.create', targetId: created.id } });
    expect(event).toMatchObject({ actorId: admin.id, actorEmail: admin.email, targetType: 'user', targetLabel: 'created@users.test' });
    expect(event?.details).toEqual({ name: 'New Person', role: 'SUPPORT' });
  });

  it.each([
    ['MANAGER', () => manager],
    ['SUPPORT', () => support],
  ])('refuses %s with 403 and writes nothing', async (_role, actor) => {
    const before = await testDb.prisma.auditEvent.count();
    const attempt = createUser(actor(), newUser('refused@users.test'));
    await expect(attempt).rejects.toBeInstanceOf(AuthError);
    await expect(attempt).rejects.toMatchObject({ status: 403, message: 'You do not have permission to manage users.' });
    await expect(changeUserRole(actor(), admin.id, 'MANAGER')).rejects.toMatchObject({ status: 403 });
    await expect(setUserDisabled(actor(), admin.id, true)).rejects.toMatchObject({ status: 403 });
    await expect(resetUserPassword(actor(), admin.id, 'hijacked-password')).rejects.toMatchObject({ status: 403 });
    await expect(findUsers(actor(), parseUserListSearch({}))).rejects.toMatchObject({ status: 403 });
    expect(await testDb.prisma.user.findUnique({ where: { email: 'refused@users.test' } })).toBeNull();
    expect(await testDb.prisma.user.findUnique({ where: { id: admin.id } })).toMatchObject({ role: 'ADMIN', disabled: false });
    expect(await testDb.prisma.auditEvent.count()).toBe(before);
  });

  it('refuses a second account for the same email in any spelling', async () => {
    await createUser(admin, newUser('twice@users.test'));
    const again = createUser(admin, { ...newUser('twice@users.test'), name: 'Again' });
    await expect(again).rejects.toBeInstanceOf(UserChangeError);
    await expect(again).rejects.toMatchObject({ code: 'EMAIL_TAKEN', field: 'email' });
  });

  it('pages, sorts and searches in SQL', async () => {
    for (const n of [3, 1, 2]) await createUser(admin, { ...newUser(`page-${n}@users.test`), name: `Pager ${n}` });
    const page1 = await findUsers(admin, parseUserListSearch({ q: 'pager', sort: 'name', dir: 'desc', perPage: '10' }));
    expect(page1.total).toBe(3);
    expect(page1.rows.map((r) => r.name)).toEqual(['Pager 3', 'Pager 2', 'Pager 1']);
    const managers = await findUsers(admin, parseUserListSearch({ role: 'MANAGER' }));
    expect(managers.rows.map((r) => r.email)).toEqual(['manager@users.test']);
    expect(JSON.stringify(page1.rows)).not.toContain('passwordHash');
  });

  it('changes a role and audits from → to', async () => {
    const user = await createUser(admin, newUser('promote@users.test'));
    const updated = await changeUserRole(admin, user.id, 'MANAGER');
    expect(updated.role).toBe('MANAGER');
    const event = await testDb.prisma.auditEvent.findFirst({ where: { action: 'user.role.change', targetId: user.id } });
    expect(event?.details).toEqual({ from: 'SUPPORT', to: 'MANAGER' });
  });

  it('keeps at least one enabled ADMIN', async () => {
    // `admin` is the only ADMIN here.
    await expect(changeUserRole(admin, admin.id, 'SUPPORT')).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await expect(setUserDisabled(admin, admin.id, true)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    expect(await testDb.prisma.user.findUnique({ where: { id: admin.id } })).toMatchObject({ role: 'ADMIN', disabled: false });
    expect(await testDb.prisma.auditEvent.count({ where: { targetId: admin.id } })).toBe(0);

    // With a second admin, stepping down is fine; the second one then cannot.
    const second = await createUser(admin, { ...newUser('second-admin@users.test'), role: 'ADMIN' });
    const secondActor: SessionUser = { ...second };
    await changeUserRole(secondActor, admin.id, 'SUPPORT');
    await expect(setUserDisabled(secondActor, second.id, true)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await changeUserRole(secondActor, admin.id, 'ADMIN');
  });

  it('disables and re-enables an account, which decides whether it can sign in', async () => {
    const user = await createUser(admin, newUser('disable-me@users.test'));
    expect(await authenticate('disable-me@users.test', 'initial-password-1')).toMatchObject({ id: user.id });
    await setUserDisabled(admin, user.id, true);
    expect(await authenticate('disable-me@users.test', 'initial-password-1')).toBeNull();
    await setUserDisabled(admin, user.id, false);
    expect(await authenticate('DISABLE-ME@users.test', 'initial-password-1')).toMatchObject({ id: user.id });
    const actions = await testDb.prisma.auditEvent.findMany({ where: { targetId: user.id }, orderBy: { id: 'asc' }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(['user.create', 'user.disable', 'user.enable']);
  });

  it('resets a password, never logging it, and lifts a lock on the account', async () => {
    const user = await createUser(admin, newUser('reset-me@users.test'));
    for (let i = 0; i < 5; i++) expect(await authenticate('reset-me@users.test', `wrong-${i}`)).toBeNull();
    // Locked: even the right password is refused now.
    expect(await authenticate('reset-me@users.test', 'initial-password-1')).toBeNull();

    await resetUserPassword(admin, user.id, 'brand-new-password');
    expect(await authenticate('reset-me@users.test', 'initial-password-1')).toBeNull();
    expect(await authenticate('reset-me@users.test', 'brand-new-password')).toMatchObject({ id: user.id });
    const event = await testDb.prisma.auditEvent.findFirst({ where: { action: 'user.password.reset', targetId: user.id } });
    expect(event).not.toBeNull();
    expect(JSON.stringify({ ...event, id: String(event?.id) })).not.toContain('brand-new-password');
  });
});

describe('sessions that end (issue 13)', () => {
  /** Signs in as next-auth does and returns what the token would carry: the user id, session version and session row. */
  async function signIn(email: string, password = 'initial-password-1') {
    const user = await authenticate(email, password);
    expect(user, `sign in as ${email}`).not.toBeNull();
    return { id: user!.id, version: user!.sessionVersion, sid: await startSession(user!.id, { browser: 'Firefox 140 on Linux', address: '198.51.100.1' }) };
  }
  type Token = Awaited<ReturnType<typeof signIn>>;
  const valid = async (token: Token) => (await sessionUser(token.id, token.version, token.sid)) !== null;
  const openRows = (userId: string) => testDb.prisma.userSession.count({ where: { userId, endedAt: null } });

  it('a token works until its user signs out, then never again; a new sign-in works', async () => {
    await createUser(admin, newUser('signout@users.test'));
    const laptop = await signIn('signout@users.test');
    const phone = await signIn('signout@users.test');
    expect(await valid(laptop)).toBe(true);
    expect(await sessionUser(laptop.id, laptop.version, laptop.sid)).toMatchObject({ email: 'signout@users.test', role: 'SUPPORT', sessionId: laptop.sid });
    expect(await endSessions(laptop.id)).toBe(2); // what next-auth's signOut event does
    expect(await valid(laptop)).toBe(false);
    expect(await valid(phone)).toBe(false);
    expect(await testDb.prisma.userSession.findUnique({ where: { id: phone.sid } })).toMatchObject({ endReason: 'signed out' });
    expect(await testDb.prisma.auditEvent.findFirst({ where: { action: 'session.end_all', targetId: laptop.id } })).toMatchObject({
      actorId: laptop.id,
      reason: 'signed out',
      details: { ended: 2 },
    });
    expect(await valid(await signIn('signout@users.test'))).toBe(true);
  });

  it('an ADMIN’s password reset, a role change and disabling each end the user’s sessions; enabling does not revive them', async () => {
    const user = await createUser(admin, newUser('ended@users.test'));
    const before = await signIn('ended@users.test');
    await resetUserPassword(admin, user.id, 'second-password-1');
    expect(await valid(before)).toBe(false);
    expect(await openRows(user.id)).toBe(0);
    expect(await testDb.prisma.userSession.findUnique({ where: { id: before.sid } })).toMatchObject({ endReason: 'password reset', endedByEmail: admin.email });

    const afterReset = await signIn('ended@users.test', 'second-password-1');
    await changeUserRole(admin, user.id, 'MANAGER');
    expect(await valid(afterReset)).toBe(false);

    const afterRole = await signIn('ended@users.test', 'second-password-1');
    expect(await testDb.prisma.userSession.findUnique({ where: { id: afterReset.sid } })).toMatchObject({ endReason: 'role changed' });
    expect(await sessionUser(afterRole.id, afterRole.version, afterRole.sid)).toMatchObject({ role: 'MANAGER' });
    await setUserDisabled(admin, user.id, true);
    expect(await valid(afterRole)).toBe(false);
    expect(await openRows(user.id)).toBe(0);
    await setUserDisabled(admin, user.id, false);
    expect(await valid(afterRole)).toBe(false);
    expect(await valid(before)).toBe(false);
    expect(await valid(await signIn('ended@users.test', 'second-password-1'))).toBe(true);
  });
});

describe('authenticate', () => {
  it('refuses an unknown email and a wrong password alike', async () => {
    expect(await authenticate('nobody@users.test', 'whatever-password')).toBeNull();
    expect(await authenticate('support@users.test', 'whatever-password')).toBeNull();
    expect(await authenticate('support@users.test', 'seeded-password-1')).toMatchObject({ role: 'SUPPORT' });
  });

  it('counts failures for unknown emails too, so a lock does not reveal which emails exist', async () => {
    for (let i = 0; i < 5; i++) await authenticate('ghost@users.test', 'guess');
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'ghost@users.test' } })).toMatchObject({ failures: 5 });
  });

  it('clears earlier failures after a correct password', async () => {
    await seedUser('typo@users.test', 'MANAGER', 'the-real-password');
    for (let i = 0; i < 3; i++) await authenticate('typo@users.test', 'typo');
    expect(await authenticate('typo@users.test', 'the-real-password')).not.toBeNull();
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'typo@users.test' } })).toBeNull();
  });

  it('counts parallel guesses one by one', async () => {
    await Promise.all(Array.from({ length: 4 }, () => authenticate('parallel@users.test', 'guess')));
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'parallel@users.test' } })).toMatchObject({ failures: 4 });
  });

  it('an attacker locks only their own address: the owner’s right password works from another one, even under a spread-out attack', async () => {
    await seedUser('target@users.test', 'ADMIN', 'owner-password-1');
    // Five wrong passwords from the attacker's address: that address is locked, even with the right password.
    for (let i = 0; i < 5; i++) expect(await authenticate('target@users.test', `guess-${i}`, '203.0.113.9')).toBeNull();
    expect(await authenticate('target@users.test', 'owner-password-1', '203.0.113.9')).toBeNull();
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'target@users.test|203.0.113.9' } })).toMatchObject({ failures: 5 });
    // The owner, from their own address, gets in at once (before issue 13 the whole email was locked).
    expect(await authenticate('target@users.test', 'owner-password-1', '198.51.100.7')).toMatchObject({ email: 'target@users.test' });

    // Guesses spread over many addresses (or a forged X-Forwarded-For) pass the soft per-email limit:
    // every attempt on the email is slowed, none refused, so the owner still gets in from a fresh address.
    for (let i = 0; i < 14; i++) expect(await authenticate('target@users.test', 'guess', `192.0.2.${i}`)).toBeNull();
    const account = await testDb.prisma.loginThrottle.findUnique({ where: { key: 'target@users.test' } });
    expect(account?.failures).toBe(14);
    expect(account?.lockedUntil).not.toBeNull(); // the soft counter's own lock field is never read as a refusal
    expect(await authenticate('target@users.test', 'owner-password-1', '198.51.100.8')).toMatchObject({ email: 'target@users.test' });
  });

  it('forgets rows whose window and lock have run out, so guessing cannot grow the table without bound', async () => {
    const old = new Date(Date.now() - 31 * 60_000);
    await testDb.prisma.loginThrottle.create({ data: { key: 'stale@users.test|10.0.0.1', failures: 9, lastFailure: old, lockedUntil: new Date(old.getTime() + 15 * 60_000) } });
    await authenticate('someone-else@users.test', 'guess', '10.0.0.2');
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'stale@users.test|10.0.0.1' } })).toBeNull();
    expect(await testDb.prisma.loginThrottle.findUnique({ where: { key: 'someone-else@users.test|10.0.0.2' } })).toMatchObject({ failures: 1 });
  });

  it('keys the client by the address the nearest trusted hop saw', () => {
    expect(clientAddress({ 'x-forwarded-for': '198.51.100.7' })).toBe('198.51.100.7');
    expect(clientAddress(new Headers({ 'x-forwarded-for': 'forged, 198.51.100.7' }))).toBe('198.51.100.7');
    expect(clientAddress({})).toBe('unknown');
    process.env.CERTFLEET_TRUSTED_PROXIES = '1';
    try {
      expect(clientAddress({ 'x-forwarded-for': 'forged, 203.0.113.5, 10.0.0.1' })).toBe('203.0.113.5');
    } finally {
      delete process.env.CERTFLEET_TRUSTED_PROXIES;
    }
  });
});

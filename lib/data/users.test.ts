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
const { authenticate } = await import('@/lib/auth/authenticate');
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
});

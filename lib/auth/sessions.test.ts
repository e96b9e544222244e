import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import type { SessionUser } from './errors';

// Session rows on a real database of this file's own (issue 13: sessions a person can see and end).
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('server-only', () => ({}));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { endOtherSessions, endSession, findSessions, LAST_SEEN_EVERY_MS, pruneSessions, SESSION_LIFETIME_MS, sessionUser, signInClient, signOutEverywhere, startSession } = await import('./sessions');
const { authOptions } = await import('./options');

let testDb: TestDatabase;
let admin: SessionUser;
let support: SessionUser;
let manager: SessionUser;

async function seedUser(email: string, role: SessionUser['role']): Promise<SessionUser> {
  const user = await testDb.prisma.user.create({ data: { email, name: email.split('@')[0]!, role, passwordHash: 'not-used-here' } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** A sign-in as the jwt callback makes it: the session row's id, and the user as a request from that browser sees them. */
async function signIn(user: SessionUser, browser = 'Chrome 131 on Linux', address = '198.51.100.7', now = new Date()) {
  const sid = await startSession(user.id, { browser, address }, now);
  return { sid, as: { ...user, sessionId: sid } satisfies SessionUser };
}

const valid = async (user: SessionUser, sid: string, now = new Date()) => (await sessionUser(user.id, 0, sid, now)) !== null;

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  admin = await seedUser('admin@sessions.test', 'ADMIN');
  support = await seedUser('support@sessions.test', 'SUPPORT');
  manager = await seedUser('manager@sessions.test', 'MANAGER');
});

afterAll(async () => {
  await testDb?.stop();
});

describe('session rows', () => {
  it('are made at sign-in by next-auth’s jwt callback, which puts the id in the token', async () => {
    const user = await seedUser('callback@sessions.test', 'MANAGER');
    const jwt = authOptions.callbacks!.jwt!;
    const token = await jwt({ token: {}, user: { ...user, sessionVersion: 0 }, account: null } as Parameters<typeof jwt>[0]);
    expect(token.sid).toEqual(expect.any(String));
    // Outside a request there are no headers to describe: the row says so rather than guessing.
    expect(await testDb.prisma.userSession.findUnique({ where: { id: token.sid! } })).toMatchObject({ userId: user.id, browser: 'Unknown browser', address: 'unknown', endedAt: null });
    expect(await signInClient()).toEqual({ browser: 'Unknown browser', address: 'unknown' });
    // A later call (each request) keeps the token's row.
    expect((await jwt({ token, account: null } as unknown as Parameters<typeof jwt>[0])).sid).toBe(token.sid);
    const session = await authOptions.callbacks!.session!({ session: { expires: '' }, token } as unknown as Parameters<NonNullable<typeof authOptions.callbacks>['session'] & object>[0]);
    expect(session).toMatchObject({ sessionId: token.sid, user: { id: user.id } });
    expect(SESSION_LIFETIME_MS).toBe(authOptions.session!.maxAge! * 1000);
  });

  it('refuse a token without a row, with someone else’s row, or with a stale version', async () => {
    const { sid } = await signIn(support);
    expect(await sessionUser(support.id, 0, sid)).toMatchObject({ id: support.id, sessionId: sid });
    expect(await sessionUser(support.id, 0, undefined)).toBeNull(); // a token from before session rows
    expect(await sessionUser(support.id, 0, 'no-such-session')).toBeNull();
    expect(await sessionUser(manager.id, 0, sid)).toBeNull();
    expect(await sessionUser(support.id, 1, sid)).toBeNull();
  });

  it('note last seen at most once a minute, not once per request', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { sid } = await signIn(manager, 'Firefox 140 on macOS', '192.0.2.10', t0);
    const lastSeen = async () => (await testDb.prisma.userSession.findUniqueOrThrow({ where: { id: sid } })).lastSeenAt.toISOString();
    for (const seconds of [1, 20, 59]) expect(await valid(manager, sid, new Date(t0.getTime() + seconds * 1000))).toBe(true);
    expect(await lastSeen()).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + LAST_SEEN_EVERY_MS + 5_000);
    // Parallel requests of one session past the minute: one write, to the time of one of them.
    await Promise.all([valid(manager, sid, later), valid(manager, sid, later), valid(manager, sid, later)]);
    expect(await lastSeen()).toBe(later.toISOString());
    expect(await valid(manager, sid, new Date(later.getTime() + 30_000))).toBe(true);
    expect(await lastSeen()).toBe(later.toISOString());
    // Idle for longer than a session lives: refused, even though nothing ended it.
    expect(await valid(manager, sid, new Date(later.getTime() + SESSION_LIFETIME_MS + 1))).toBe(false);
  });

  it('list a person’s own open sessions, the current one marked; everyone’s only for an ADMIN', async () => {
    const person = await seedUser('lister@sessions.test', 'SUPPORT');
    const laptop = await signIn(person, 'Chrome 131 on Windows', '203.0.113.1');
    const phone = await signIn(person, 'Safari 18 on iOS', '203.0.113.2');
    const mine = await findSessions(laptop.as);
    expect(mine.map((s) => [s.browser, s.address, s.current])).toEqual(
      expect.arrayContaining([
        ['Chrome 131 on Windows', '203.0.113.1', true],
        ['Safari 18 on iOS', '203.0.113.2', false],
      ]),
    );
    expect(mine).toHaveLength(2);
    expect(mine.every((s) => s.user.email === person.email)).toBe(true);
    await expect(findSessions(laptop.as, { everyone: true })).rejects.toMatchObject({ status: 403 });
    await expect(findSessions(laptop.as, { userId: admin.id })).rejects.toMatchObject({ status: 403 });
    const everyone = await findSessions(admin, { everyone: true });
    expect(everyone.map((s) => s.id)).toEqual(expect.arrayContaining([laptop.sid, phone.sid]));
    expect((await findSessions(admin, { userId: person.id })).map((s) => s.id).sort()).toEqual([laptop.sid, phone.sid].sort());
  });
});

describe('ending sessions', () => {
  it('a person ends one of their sessions: that token is refused at once, the others keep working, and it is audited once', async () => {
    const person = await seedUser('end-one@sessions.test', 'MANAGER');
    const laptop = await signIn(person, 'Chrome 131 on Linux', '198.51.100.20');
    const phone = await signIn(person, 'Firefox 140 on Android', '198.51.100.21');
    const result = await endSession(laptop.as, phone.sid);
    expect(result).toMatchObject({ ended: true, session: { id: phone.sid, browser: 'Firefox 140 on Android' } });
    expect(await valid(person, phone.sid)).toBe(false);
    expect(await valid(person, laptop.sid)).toBe(true);
    expect(await testDb.prisma.userSession.findUnique({ where: { id: phone.sid } })).toMatchObject({ endedById: person.id, endedByEmail: person.email, endReason: 'ended by its user' });
    expect(await testDb.prisma.auditEvent.findMany({ where: { action: 'session.end', targetId: phone.sid } })).toEqual([
      expect.objectContaining({
        actorId: person.id,
        targetType: 'session',
        targetLabel: person.email,
        details: expect.objectContaining({ owner: person.email, browser: 'Firefox 140 on Android', address: '198.51.100.21' }),
      }),
    ]);
    // Again: nothing to end, nothing more audited.
    expect(await endSession(laptop.as, phone.sid)).toMatchObject({ ended: false });
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'session.end', targetId: phone.sid } })).toBe(1);
    expect((await findSessions(laptop.as)).map((s) => s.id)).toEqual([laptop.sid]);
  });

  it('a person cannot end someone else’s session (it looks like none), nor with an API token', async () => {
    const victim = await signIn(manager);
    const attacker = await signIn(support);
    const before = await testDb.prisma.auditEvent.count();
    await expect(endSession(attacker.as, victim.sid)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(endSession(attacker.as, 'no-such-session')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const viaToken = { ...support, token: { id: 't', name: 'script', prefix: 'cfat_12345678', readOnly: false } };
    await expect(endSession(viaToken, attacker.sid)).rejects.toMatchObject({ status: 403 });
    await expect(endOtherSessions(viaToken)).rejects.toMatchObject({ status: 403 });
    expect(await valid(manager, victim.sid)).toBe(true);
    expect(await testDb.prisma.auditEvent.count()).toBe(before);
  });

  it('“End all other sessions” keeps only the one it is asked from, and is one audit entry', async () => {
    const person = await seedUser('end-others@sessions.test', 'SUPPORT');
    const here = await signIn(person, 'Chrome 131 on Linux', '198.51.100.30');
    const others = await Promise.all([signIn(person, 'Safari 18 on macOS', '198.51.100.31'), signIn(person, 'Edge 131 on Windows', '198.51.100.32')]);
    const bystander = await signIn(support);
    expect(await endOtherSessions(here.as)).toBe(2);
    for (const other of others) expect(await valid(person, other.sid)).toBe(false);
    expect(await valid(person, here.sid)).toBe(true);
    expect(await valid(support, bystander.sid)).toBe(true);
    expect(await testDb.prisma.auditEvent.findMany({ where: { action: 'session.end_others', targetId: person.id } })).toEqual([
      expect.objectContaining({ actorId: person.id, details: { ended: 2, kept: here.sid } }),
    ]);
    expect(await endOtherSessions(here.as)).toBe(0);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'session.end_others', targetId: person.id } })).toBe(1);
    // A request without a session of its own (none to keep) is refused rather than ending everything.
    await expect(endOtherSessions(person)).rejects.toMatchObject({ status: 403 });
  });

  it('an ADMIN ends a SUPPORT user’s session, audited with who ended it', async () => {
    const target = await seedUser('ended-by-admin@sessions.test', 'SUPPORT');
    const session = await signIn(target, 'Chrome 131 on ChromeOS', '198.51.100.40');
    const adminHere = await signIn(admin);
    expect(await endSession(adminHere.as, session.sid)).toMatchObject({ ended: true });
    expect(await valid(target, session.sid)).toBe(false);
    expect(await valid(admin, adminHere.sid)).toBe(true);
    expect(await testDb.prisma.userSession.findUnique({ where: { id: session.sid } })).toMatchObject({ endedById: admin.id, endReason: 'ended by an admin' });
    expect(await testDb.prisma.auditEvent.findFirst({ where: { action: 'session.end', targetId: session.sid } })).toMatchObject({
      actorEmail: admin.email,
      targetLabel: target.email,
    });
  });
});

describe('bounded storage', () => {
  it('each sign-in deletes rows idle for longer than a session lives, ended or not; recent ones stay', async () => {
    const person = await seedUser('prune@sessions.test', 'MANAGER');
    const now = new Date();
    const old = new Date(now.getTime() - SESSION_LIFETIME_MS - 60_000);
    const idle = await signIn(person, 'Chrome 120 on Linux', '10.0.0.1', old);
    const endedLongAgo = await signIn(person, 'Chrome 120 on Linux', '10.0.0.2', old);
    await testDb.prisma.userSession.update({ where: { id: endedLongAgo.sid }, data: { endedAt: old, endReason: 'signed out' } });
    const recentEnded = await signIn(person, 'Chrome 131 on Linux', '10.0.0.3', new Date(now.getTime() - 60_000));
    await endSession(recentEnded.as, recentEnded.sid);
    await signIn(person, 'Chrome 131 on Linux', '10.0.0.4', now); // prunes
    const left = await testDb.prisma.userSession.findMany({ where: { userId: person.id }, select: { address: true } });
    expect(left.map((r) => r.address).sort()).toEqual(['10.0.0.3', '10.0.0.4']);
    expect(await valid(person, idle.sid)).toBe(false);

    // 150 sign-ins spread over 36 hours: at any time only the last 12 hours' rows are kept.
    const start = now.getTime() - 36 * 60 * 60_000;
    for (let i = 0; i < 150; i++) await startSession(person.id, { browser: 'curl 8', address: '10.1.0.1' }, new Date(start + i * 14.4 * 60_000));
    await pruneSessions(now);
    const kept = await testDb.prisma.userSession.count({ where: { userId: person.id, address: '10.1.0.1' } });
    expect(kept).toBeGreaterThanOrEqual(49);
    expect(kept).toBeLessThanOrEqual(51); // 12 h / 14.4 min = 50, give or take the boundary
  });
});

describe('signing out', () => {
  it('ends every session of the user, audited; a cookie whose session was already ended cannot do it', async () => {
    const person = await seedUser('sign-out@sessions.test', 'SUPPORT');
    const owner = await signIn(person, 'Chrome 131 on Linux', '198.51.100.50');
    const thief = await signIn(person, 'curl 8', '203.0.113.66');
    await endSession(owner.as, thief.sid);
    await signOutEverywhere({ id: person.id, sv: 0, sid: thief.sid });
    expect(await valid(person, owner.sid)).toBe(true);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'session.end_all', targetId: person.id } })).toBe(0);

    const phone = await signIn(person, 'Safari 18 on iOS', '198.51.100.51');
    await signOutEverywhere({ id: person.id, sv: 0, sid: owner.sid });
    expect(await valid(person, owner.sid)).toBe(false);
    expect(await valid(person, phone.sid, new Date())).toBe(false);
    expect(await testDb.prisma.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({ sessionVersion: 1 });
    expect(await testDb.prisma.auditEvent.findFirst({ where: { action: 'session.end_all', targetId: person.id } })).toMatchObject({ actorId: person.id, reason: 'signed out', details: { ended: 2 } });
  });
});

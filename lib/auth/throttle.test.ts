import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// The throttle's storage on a real database of this file's own: lock-outs audited once, rows bounded.
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

const { authenticate } = await import('./authenticate');
const { hashPassword } = await import('./password');
const { recordSignInFailure } = await import('./throttle');
const { ACCOUNT_SOFT_FAILURES, FORGET_AFTER_MS, FREE_FAILURES } = await import('./throttle-policy');

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
});

afterAll(async () => {
  await testDb?.stop();
});

const audits = (action: string, email: string) => testDb.prisma.auditEvent.findMany({ where: { action, targetLabel: email }, orderBy: { id: 'asc' } });

describe('lock-outs are audited', () => {
  it('one entry when an address gets locked out of an account, with the email and the address; none for the attempts refused while locked', async () => {
    const user = await testDb.prisma.user.create({ data: { email: 'locked@throttle.test', name: 'Locked', role: 'ADMIN', passwordHash: await hashPassword('owner-password-1') } });
    for (let i = 0; i < FREE_FAILURES; i++) expect(await authenticate('Locked@Throttle.test', `guess-${i}`, '203.0.113.9')).toBeNull();
    expect(await audits('signin.lockout', user.email)).toEqual([]);
    expect(await authenticate('locked@throttle.test', 'guess-5', '203.0.113.9')).toBeNull(); // this one locks
    // Refused while locked (even the right password): no further entries.
    for (let i = 0; i < 3; i++) expect(await authenticate('locked@throttle.test', 'owner-password-1', '203.0.113.9')).toBeNull();
    const entries = await audits('signin.lockout', user.email);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: null,
      actorEmail: 'system:sign-in-throttle',
      targetType: 'user',
      targetId: user.id,
      targetLabel: 'locked@throttle.test',
      details: { address: '203.0.113.9', failures: FREE_FAILURES + 1, lockSeconds: 30 },
    });
    expect(entries[0]!.reason).toContain('203.0.113.9');
    // The owner from their own address is neither refused nor does their sign-in add an entry.
    expect(await authenticate('locked@throttle.test', 'owner-password-1', '198.51.100.7')).toMatchObject({ id: user.id });
    expect(await audits('signin.lockout', user.email)).toHaveLength(1);
  });

  it('each new lock (after the last ran out) is one more entry, doubling', async () => {
    const t0 = new Date();
    for (let i = 0; i <= FREE_FAILURES; i++) await recordSignInFailure('nobody@throttle.test', '192.0.2.1', t0);
    const afterLock = new Date(t0.getTime() + 31_000);
    await recordSignInFailure('nobody@throttle.test', '192.0.2.1', afterLock);
    const entries = await audits('signin.lockout', 'nobody@throttle.test');
    expect(entries.map((e) => (e.details as { lockSeconds: number }).lockSeconds)).toEqual([30, 60]);
    // An email without an account is recorded too (the attacker typed it), without a user id.
    expect(entries[0]).toMatchObject({ targetId: null });
  });

  it('one entry when failures from many addresses start slowing every attempt on the account', async () => {
    for (let i = 0; i < ACCOUNT_SOFT_FAILURES + 4; i++) await recordSignInFailure('spread@throttle.test', `192.0.2.${100 + i}`);
    const entries = await audits('signin.slowdown', 'spread@throttle.test');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ details: { address: '192.0.2.110', failures: ACCOUNT_SOFT_FAILURES + 1 } });
    expect(await audits('signin.lockout', 'spread@throttle.test')).toEqual([]);
  });

  it('an email of any length is cut to 320 characters in the log', async () => {
    const long = `${'a'.repeat(2000)}@throttle.test`;
    for (let i = 0; i <= FREE_FAILURES; i++) await recordSignInFailure(long, '192.0.2.50');
    const entry = await testDb.prisma.auditEvent.findFirst({ where: { action: 'signin.lockout', details: { path: ['address'], equals: '192.0.2.50' } } });
    expect(entry?.targetLabel).toHaveLength(320);
  });
});

describe('bounded storage', () => {
  it('guessing from hundreds of addresses over hours keeps only the last half hour’s rows', async () => {
    const start = Date.now() - 3 * 60 * 60_000;
    // 400 wrong passwords over three hours, each from a fresh address, against 40 emails.
    for (let i = 0; i < 400; i++) await recordSignInFailure(`victim-${i % 40}@bounded.test`, `10.${i >> 8}.${i & 255}.1`, new Date(start + i * 27_000));
    const now = new Date(start + 399 * 27_000);
    const rows = await testDb.prisma.loginThrottle.count({ where: { key: { contains: '@bounded.test' } } });
    // The last 30 minutes hold 67 failures: 67 address rows and the 40 emails' own.
    const window = Math.floor(FORGET_AFTER_MS / 27_000) + 1;
    expect(rows).toBeLessThanOrEqual(window + 40);
    expect(await testDb.prisma.loginThrottle.count({ where: { lastFailure: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } })).toBe(0);
  });
});

import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '@/lib/auth/demo-users';
import { DEMO_FLEET, DEMO_GROUPS } from '@/lib/demo/fleet';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { SEED_ACTION, seedDemo, type SeedDemoResult, type SeedDevice } from './seed';

// Each database here is the seed's own: the run-wide test database stays free of demo rows.
const now = new Date('2026-03-10T12:00:00Z');

describe('seedDemo without certificates', () => {
  let t: TestDatabase;
  let first: SeedDemoResult;
  beforeAll(async () => {
    t = await createTestDatabase();
    first = await seedDemo(t.prisma, { now });
  });
  afterAll(() => t?.stop());

  it('seeds users, the fleet and a week of readings', async () => {
    expect(first).toMatchObject({ seeded: true, users: 3, devices: DEMO_FLEET.length, certificates: 0 });
    expect(first.readings).toBe(await t.prisma.reading.count());
    expect(first.readings).toBeGreaterThan(60_000);
  });

  it('does nothing the second time', async () => {
    expect(await seedDemo(t.prisma, { now })).toEqual({ seeded: false, users: 0, devices: 0, certificates: 0, readings: 0 });
    expect(await t.prisma.reading.count()).toBe(first.readings);
    expect(await t.prisma.auditEvent.count({ where: { action: SEED_ACTION } })).toBe(1);
  });

  it('creates the demo logins with the demo password (bcrypt, cost 10)', async () => {
    const users = await t.prisma.user.findMany({ orderBy: { email: 'asc' } });
    expect(users.map((u) => [u.email, u.role])).toEqual(
      [...DEMO_USERS].sort((a, b) => a.email.localeCompare(b.email)).map((u) => [u.email, u.role]),
    );
    for (const user of users) {
      expect(user.passwordHash).not.toBeNull();
      expect(bcrypt.getRounds(user.passwordHash!)).toBe(10);
      expect(await bcrypt.compare(DEMO_PASSWORD, user.passwordHash!)).toBe(true);
    }
  });

  it('names devices per group with per-group thresholds', async () => {
    const devices = await t.prisma.device.findMany({ orderBy: { name: 'asc' } });
    expect(devices).toHaveLength(36);
    expect(devices.map((d) => d.name)).toContain('cold-storage-01');
    for (const group of DEMO_GROUPS) {
      const members = devices.filter((d) => d.group === group.name);
      expect(members).toHaveLength(group.count);
      for (const d of members) {
        expect(d).toMatchObject({ commonName: d.name, minTemperature: group.minTemperature, maxTemperature: group.maxTemperature });
      }
    }
    expect(new Set(devices.map((d) => d.reportIntervalSec))).toEqual(new Set([60, 300]));
    expect(devices.filter((d) => d.reportIntervalSec === 60).length).toBeGreaterThan(devices.length / 2);
  });

  it('ends each history at lastSeenAt, in 5-minute steps, with live, late, missing and silent devices', async () => {
    const rows = await t.prisma.$queryRaw<
      { name: string; interval: number; last_seen: Date; newest: Date; oldest: Date; n: bigint; steps: bigint; fingerprints: string[] }[]
    >`SELECT d.name, d."reportIntervalSec" AS interval, d."lastSeenAt" AS last_seen, max(r.time) AS newest, min(r.time) AS oldest,
             count(*) AS n, count(DISTINCT extract(epoch FROM r.time)::bigint % 300) AS steps,
             array_agg(DISTINCT r."certificateFingerprint") AS fingerprints
        FROM "Device" d JOIN "Reading" r ON r."deviceId" = d.id GROUP BY d.id`;
    expect(rows).toHaveLength(36);
    const agoSec = (d: Date) => (now.getTime() - d.getTime()) / 1000;
    for (const row of rows) {
      expect(row.newest.getTime()).toBe(row.last_seen.getTime());
      expect(agoSec(row.oldest)).toBeLessThanOrEqual(7 * 86_400);
      expect(Number(row.steps)).toBe(1); // every reading on the same 5-minute grid
      expect(row.fingerprints).toEqual(['']);
    }
    const intervalsLate = rows.map((r) => agoSec(r.last_seen) / r.interval);
    expect(intervalsLate.filter((x) => x < 1).length).toBeGreaterThanOrEqual(25); // live
    expect(intervalsLate.filter((x) => x >= 2 && x < 10).length).toBeGreaterThanOrEqual(2); // late
    expect(intervalsLate.filter((x) => x >= 50 && agoSec(rows[intervalsLate.indexOf(x)]!.last_seen) < 86_400).length).toBeGreaterThanOrEqual(2); // missing
    expect(rows.filter((r) => agoSec(r.last_seen) > 2 * 86_400).length).toBeGreaterThanOrEqual(2); // silent
    for (const r of rows) expect(Number(r.n)).toBe(Math.floor((7 * 86_400 - agoSec(r.last_seen)) / 300) + 1);
  });

  it('draws plausible curves: within thresholds most of the time, with a few excursions', async () => {
    const rows = await t.prisma.$queryRaw<{ group: string; inside: number; outside: bigint }[]>`
      SELECT d."group",
             avg(CASE WHEN r.temperature BETWEEN d."minTemperature" AND d."maxTemperature" THEN 1.0 ELSE 0 END)::float8 AS inside,
             count(*) FILTER (WHERE r.temperature NOT BETWEEN d."minTemperature" AND d."maxTemperature") AS outside
        FROM "Reading" r JOIN "Device" d ON d.id = r."deviceId" GROUP BY d."group"`;
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.inside).toBeGreaterThan(0.98);
      expect(Number(row.outside)).toBeGreaterThan(0);
    }
  });
});

describe('seedDemo with issueCertificate', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.stop());

  it('asks for one certificate per device and marks its history and lastSeenFingerprint with it', async () => {
    const asked: SeedDevice[] = [];
    const fingerprintOf = (name: string) => Buffer.from(name.padEnd(32, '.')).toString('hex');
    const result = await seedDemo(t.prisma, {
      now,
      historyDays: 1,
      issueCertificate: async (device) => {
        asked.push(device);
        return { fingerprint: fingerprintOf(device.name) };
      },
    });
    expect(result).toMatchObject({ seeded: true, devices: 36, certificates: 36 });
    expect(asked.map((d) => d.name).sort()).toEqual(DEMO_FLEET.map((d) => d.name).sort());
    expect(asked.every((d) => d.commonName === d.name && d.id)).toBe(true);

    const devices = await t.prisma.device.findMany({ select: { id: true, name: true, lastSeenFingerprint: true } });
    for (const device of devices) {
      expect(device.lastSeenFingerprint).toBe(fingerprintOf(device.name));
      const marked = await t.prisma.reading.groupBy({ by: ['certificateFingerprint'], where: { deviceId: device.id } });
      // Devices silent for longer than this one-day history have no readings in it.
      const silentAllDay = DEMO_FLEET.find((d) => d.name === device.name)!.lastSeenSecondsAgo > 86_400;
      expect(marked.map((m) => m.certificateFingerprint)).toEqual(silentAllDay ? [] : [fingerprintOf(device.name)]);
    }
  });
});

describe('seedDemo on a database in use', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.stop());

  it('adds neither demo logins next to real accounts nor a demo fleet next to real devices', async () => {
    await t.prisma.user.create({ data: { email: 'ops@example.com', name: 'Ops', role: 'ADMIN', passwordHash: 'x' } });
    await t.prisma.device.create({ data: { name: 'pump-17', group: 'plant', commonName: 'pump-17' } });
    expect(await seedDemo(t.prisma, { now })).toEqual({ seeded: true, users: 0, devices: 0, certificates: 0, readings: 0 });
    expect(await t.prisma.user.count()).toBe(1);
    expect(await t.prisma.device.count()).toBe(1);
  });
});

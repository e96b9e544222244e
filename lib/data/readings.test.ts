import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError, assertCan, type SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import type { Permission } from '@/lib/auth/permissions';

// A database of this file's own (the fleet view lists every device), and the signed-in user chosen per test:
// requirePermission is the real rule (assertCan) applied to `holder.user`.
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined, user: null as SessionUser | null }));
vi.mock('server-only', () => ({}));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));
vi.mock('@/lib/auth/session', () => ({
  requirePermission: async (permission: Permission) => {
    assertCan(holder.user, permission);
    return holder.user;
  },
}));

const { getDeviceReadings, getFleetReadings, getReadingFlags, exportReadingsCsv } = await import('./readings');
const { updateDeviceLimits, updateGroupLimits, pullReadingsNow } = await import('./readings-changes');
const { presetRange } = await import('@/lib/readings/ranges');
const { createTestCertificate, createTestDevice, insertReadings, randomFingerprint } = await import('@/lib/readings/test-factories');

const admin: SessionUser = { id: 'u-admin', email: 'admin@readings.test', name: 'Admin', role: 'ADMIN' };
const manager: SessionUser = { id: 'u-manager', email: 'manager@readings.test', name: 'Manager', role: 'MANAGER' };
const support: SessionUser = { id: 'u-support', email: 'support@readings.test', name: 'Support', role: 'SUPPORT' };

const now = new Date(Date.UTC(2026, 5, 30, 12, 0, 0));
const MIN = 60_000;
let testDb: TestDatabase;

const ids = {} as Record<'fridge' | 'fridge2' | 'hall' | 'quiet' | 'twin', string>;
const fps = {} as Record<'fridge' | 'fridgeOld' | 'hall' | 'stolen' | 'unknown', string>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = testDb.prisma;
  const p = testDb.prisma;
  const minutesAgo = (m: number) => new Date(now.getTime() - m * MIN);

  // cold: a fridge with its own limits, one without (group default), a silent one; hall: another group.
  ids.fridge = (await createTestDevice(p, { name: 'fridge-1', group: 'cold', minTemperature: 2, maxTemperature: 8, lastSeenAt: minutesAgo(1) })).id;
  ids.fridge2 = (await createTestDevice(p, { name: 'fridge-2', group: 'cold', lastSeenAt: minutesAgo(5) })).id;
  ids.quiet = (await createTestDevice(p, { name: 'fridge-3', group: 'cold', lastSeenAt: minutesAgo(3 * 24 * 60) })).id;
  ids.hall = (await createTestDevice(p, { name: 'hall-1', group: 'hall', reportIntervalSec: 300, lastSeenAt: minutesAgo(45) })).id;
  ids.twin = (await createTestDevice(p, { name: 'hall-2', group: 'hall', lastSeenAt: minutesAgo(1) })).id;

  fps.fridgeOld = randomFingerprint();
  fps.fridge = randomFingerprint();
  fps.hall = randomFingerprint();
  fps.stolen = randomFingerprint();
  fps.unknown = randomFingerprint();
  // fridge-1 rotated its certificate 10 days ago; the old one was revoked 2 days ago but still posted after that.
  await createTestCertificate(p, { deviceId: ids.fridge, fingerprint: fps.fridgeOld, issuedOn: minutesAgo(200 * 24 * 60), supersededAt: minutesAgo(10 * 24 * 60), status: 'REVOKED', revokedAt: minutesAgo(2 * 24 * 60) });
  await createTestCertificate(p, { deviceId: ids.fridge, fingerprint: fps.fridge, issuedOn: minutesAgo(10 * 24 * 60) });
  await createTestCertificate(p, { deviceId: ids.hall, fingerprint: fps.hall, issuedOn: minutesAgo(100 * 24 * 60) });

  // 3 days of one reading a minute for fridge-1, 5 °C ± 1, last one 9.5 °C (above its max of 8).
  await insertReadings(p, { deviceId: ids.fridge, fingerprint: fps.fridge, from: minutesAgo(3 * 24 * 60), count: 3 * 24 * 60 - 1, stepMs: MIN, temperature: (i) => 5 + Math.sin(i / 60) });
  await insertReadings(p, { deviceId: ids.fridge, fingerprint: fps.fridge, from: minutesAgo(1), count: 1, stepMs: MIN, temperature: () => 9.5 });
  // The revoked certificate posted 3 readings after its revocation (receivedAt ≥ revokedAt) and 2 before.
  await insertReadings(p, { deviceId: ids.fridge, fingerprint: fps.fridgeOld, from: minutesAgo(2 * 24 * 60 + 2), count: 5, stepMs: MIN, temperature: () => 5 });
  // fridge-2 uses the group default; its latest is 1 °C.
  const fridge2Fingerprint = (await createTestCertificate(p, { deviceId: ids.fridge2 })).fingerprintSha256;
  await insertReadings(p, { deviceId: ids.fridge2, fingerprint: fridge2Fingerprint, from: minutesAgo(65), count: 61, stepMs: MIN, temperature: (i) => (i === 60 ? 1 : 4) });
  // hall-1's certificate also posts for hall-2 (a copied key), and a certificate nobody recorded posts unlinked.
  await insertReadings(p, { deviceId: ids.hall, fingerprint: fps.hall, from: minutesAgo(120), count: 7, stepMs: 5 * MIN, temperature: () => 15 });
  await insertReadings(p, { deviceId: ids.twin, fingerprint: fps.hall, from: minutesAgo(30), count: 3, stepMs: MIN, temperature: () => 16 });
  await insertReadings(p, { deviceId: null, fingerprint: fps.unknown, from: minutesAgo(50), count: 4, stepMs: MIN, temperature: () => 40 });
});

afterAll(async () => {
  await testDb?.stop();
});

describe('getDeviceReadings', () => {
  it('charts a device: ≤ 1,000 buckets with the true extremes, limits, certificate markers, flags', async () => {
    holder.user = manager;
    const view = (await getDeviceReadings(ids.fridge, presetRange('7d', now), now))!;
    expect(view.points.length).toBeLessThanOrEqual(1000);
    expect(view.widthSeconds).toBe(900);
    const [truth] = await testDb.prisma.$queryRaw<{ min: number; max: number; n: number }[]>`
      SELECT min("temperature") AS min, max("temperature") AS max, count(*)::int AS n FROM "Reading"
       WHERE "deviceId" = ${ids.fridge} AND "time" >= ${new Date(view.range.from)} AND "time" < ${new Date(view.range.to)}`;
    expect(view.summary).toMatchObject({ min: truth!.min, max: 9.5, count: truth!.n });
    expect(view.limits).toEqual({ min: 2, max: 8, minSource: 'device', maxSource: 'device' });
    expect(view.latest).toMatchObject({ temperature: 9.5, state: 'above' });
    expect(view.device.health).toBe('live');
    // The revoked certificate's readings 2 days ago, after its revocation, are flagged.
    expect(await getReadingFlags(presetRange('7d', now), { deviceId: ids.fridge })).toEqual([
      expect.objectContaining({ kind: 'revoked', fingerprint: fps.fridgeOld, readings: 3 }),
    ]);
    expect(view.markers.map((m) => m.kind)).toEqual(['revoked']);

    // Over 30 days: the new certificate's issue and the old one's rotation (10 days ago) show too; the old
    // one's issue (200 days ago) does not.
    const month = (await getDeviceReadings(ids.fridge, presetRange('30d', now), now))!;
    expect(month.markers.map((m) => m.kind).sort()).toEqual(['issued', 'revoked', 'rotated']);
    expect(month.markers.find((m) => m.kind === 'issued')!.t).toBe(now.getTime() - 10 * 24 * 60 * MIN);
    expect(month.markers.at(-1)!.kind).toBe('revoked');
  });

  it('flags a certificate that posts for two devices on both devices', async () => {
    holder.user = support;
    for (const id of [ids.hall, ids.twin]) {
      const flags = await getReadingFlags(presetRange('24h', now), { deviceId: id });
      const shared = flags.filter((f) => f.kind === 'shared');
      expect(shared).toHaveLength(1);
      expect(shared[0]!.devices.map((d) => d.name).sort()).toEqual(['hall-1', 'hall-2']);
      expect(shared[0]!.owner?.name).toBe('hall-1');
    }
    expect(await getDeviceReadings('no-such-device', presetRange('24h', now), now)).toBeNull();
  });
});

describe('getFleetReadings', () => {
  it('lists health, devices outside limits now, the drawn group and flags', async () => {
    holder.user = manager;
    const view = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now);
    expect(view.selection.group).toBe('cold');
    expect(view.series.map((s) => s.name)).toEqual(['fridge-1', 'fridge-2', 'fridge-3']);
    expect(Object.fromEntries(view.devices.map((d) => [d.name, d.health]))).toEqual({
      'fridge-1': 'live',
      'fridge-2': 'late',
      'fridge-3': 'silent',
      'hall-1': 'late',
      'hall-2': 'live',
    });
    expect(view.healthCounts).toEqual({ live: 2, late: 2, missing: 0, silent: 1 });
    // fridge-2 has no limits until its group gets a default.
    expect(view.outOfLimits.map((d) => d.name)).toEqual(['fridge-1']);
    // The revoked certificate's readings are 2 days old: outside this 24 h range.
    const flags = await getReadingFlags(presetRange('24h', now));
    expect(flags.map((f) => f.kind).sort()).toEqual(['shared', 'unknown']);
    expect(flags.find((f) => f.kind === 'unknown')).toMatchObject({ fingerprint: fps.unknown, readings: 4, devices: [] });
    expect((await getReadingFlags(presetRange('7d', now))).map((f) => f.kind).sort()).toEqual(['revoked', 'shared', 'unknown']);
    // A device's own page shows only what involves it: fridge-2 has nothing to flag.
    expect(await getReadingFlags(presetRange('7d', now), { deviceId: ids.fridge2 })).toEqual([]);
    // The average covers every selected device, per bucket.
    const all = view.series.flatMap((s) => s.points);
    expect(view.averageSummary.count).toBe(all.reduce((n, b) => n + b.count, 0));
    expect(view.averageSummary.max).toBe(Math.max(...all.map((b) => b.max)));
  });

  it('draws a hand-picked set over a group', async () => {
    holder.user = manager;
    const view = await getFleetReadings({ group: 'cold', deviceIds: [ids.hall, ids.fridge, 'unknown-id'] }, presetRange('24h', now), now);
    expect(view.selection.group).toBeNull();
    expect(view.series.map((s) => s.name).sort()).toEqual(['fridge-1', 'hall-1']);
  });
});

describe('limits', () => {
  it('lets only ADMIN change a device’s limits and interval, audited', async () => {
    for (const user of [manager, support]) {
      holder.user = user;
      await expect(updateDeviceLimits({ deviceId: ids.fridge2, minTemperature: 3, maxTemperature: 6, reportIntervalSec: 30 })).rejects.toBeInstanceOf(AuthError);
    }
    expect(await testDb.prisma.device.findUniqueOrThrow({ where: { id: ids.fridge2 } })).toMatchObject({ minTemperature: null, reportIntervalSec: 60 });

    holder.user = admin;
    await updateDeviceLimits({ deviceId: ids.fridge2, minTemperature: 3, maxTemperature: null, reportIntervalSec: 600 });
    const event = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'device.limits.update', targetId: ids.fridge2 } });
    expect(event).toMatchObject({ actorEmail: admin.email, targetLabel: 'fridge-2' });
    expect(event.details).toEqual({
      from: { minTemperature: null, maxTemperature: null, reportIntervalSec: 60 },
      to: { minTemperature: 3, maxTemperature: null, reportIntervalSec: 600 },
    });
    holder.user = manager;
    const view = await getFleetReadings({ group: 'cold', deviceIds: [] }, presetRange('24h', now), now);
    expect(view.devices.find((d) => d.name === 'fridge-2')).toMatchObject({ health: 'live', latest: { state: 'below' } });
    expect(view.outOfLimits.map((d) => d.name)).toEqual(['fridge-1', 'fridge-2']);
    await expect(updateDeviceLimits({ deviceId: 'missing', minTemperature: null, maxTemperature: null, reportIntervalSec: 60 })).rejects.toThrow(AuthError);
  });

  it('sets a group default that devices without their own limits follow', async () => {
    holder.user = manager;
    await expect(updateGroupLimits({ group: 'hall', minTemperature: 10, maxTemperature: 14 })).rejects.toMatchObject({ status: 403 });
    holder.user = admin;
    await expect(updateGroupLimits({ group: 'nope', minTemperature: 1, maxTemperature: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await updateGroupLimits({ group: 'hall', minTemperature: 10, maxTemperature: 14 });
    await updateGroupLimits({ group: 'cold', minTemperature: 1.5, maxTemperature: 7 });

    holder.user = manager;
    const hall = (await getDeviceReadings(ids.twin, presetRange('24h', now), now))!;
    expect(hall.limits).toEqual({ min: 10, max: 14, minSource: 'group', maxSource: 'group' });
    expect(hall.latest?.state).toBe('above');
    // fridge-2 has its own minimum (3) and takes the group's maximum.
    const fridge2 = (await getDeviceReadings(ids.fridge2, presetRange('24h', now), now))!;
    expect(fridge2.limits).toEqual({ min: 3, max: 7, minSource: 'device', maxSource: 'group' });

    holder.user = admin;
    await updateGroupLimits({ group: 'hall', minTemperature: null, maxTemperature: null });
    holder.user = manager;
    const view = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now);
    expect(view.groups).toEqual([
      { name: 'cold', devices: 3, limits: { min: 1.5, max: 7 } },
      { name: 'hall', devices: 2, limits: null },
    ]);
    const events = await testDb.prisma.auditEvent.findMany({ where: { action: 'group.limits.update' }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.targetId, e.details])).toEqual([
      ['hall', { from: null, to: { min: 10, max: 14 } }],
      ['cold', { from: null, to: { min: 1.5, max: 7 } }],
      ['hall', { from: { min: 10, max: 14 }, to: null }],
    ]);
  });
});

describe('permissions of reads', () => {
  it('refuses a signed-out caller everywhere and a MANAGER a pull only if the map says so', async () => {
    holder.user = null;
    await expect(getDeviceReadings(ids.fridge, presetRange('24h', now), now)).rejects.toMatchObject({ status: 401 });
    await expect(getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now)).rejects.toMatchObject({ status: 401 });
    await expect(getReadingFlags(presetRange('24h', now))).rejects.toMatchObject({ status: 401 });
    await expect(exportReadingsCsv({ ...presetRange('24h', now), deviceIds: [ids.fridge] })).rejects.toMatchObject({ status: 401 });
    await expect(pullReadingsNow()).rejects.toMatchObject({ status: 401 });
    // Every role may pull; without a Worker configured the refusal says what to set.
    holder.user = manager;
    const saved = { url: process.env.WORKER_EXPORT_URL, token: process.env.WORKER_EXPORT_TOKEN };
    delete process.env.WORKER_EXPORT_URL;
    try {
      await expect(pullReadingsNow()).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
    } finally {
      if (saved.url) process.env.WORKER_EXPORT_URL = saved.url;
    }
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import type { Permission } from '@/lib/auth/permissions';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// The fleet view at any size (readings-fleet.ts): its read model of each device's newest reading equals the raw
// rows after every kind of write, its health in SQL equals classifyHealth device by device, and its device table
// pages, filters and counts as the raw tables say. A database of this file's own: the tests count the fleet.
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

const { getFleetReadings } = await import('./readings');
const { updateDeviceLimits, updateGroupLimits } = await import('./readings-changes');
const { presetRange } = await import('@/lib/readings/ranges');
const { classifyHealth, HEALTH_STATES } = await import('@/lib/readings/health');
const { FLEET_TABLE_PAGE_SIZE, OUT_OF_LIMITS_SHOWN } = await import('@/lib/readings/selection');
const { createTestDevice, insertReadings, randomFingerprint } = await import('@/lib/readings/test-factories');
const { effectiveLimits, GROUP_LIMITS_SETTING, limitState, parseGroupLimits } = await import('@/lib/readings/thresholds');

const admin: SessionUser = { id: 'u-admin', email: 'admin@fleet.test', name: 'Admin', role: 'ADMIN' };
const manager: SessionUser = { id: 'u-manager', email: 'manager@fleet.test', name: 'Manager', role: 'MANAGER' };
const now = new Date(Date.UTC(2026, 5, 30, 12, 0, 0));
const SECOND = 1000;
let testDb: TestDatabase;
let p: PrismaClient;

/** Every device's newest reading as the raw rows say (greatest time, then id), against the read model. */
async function latestFromBoth() {
  const raw = await p.$queryRaw<{ deviceId: string; readingId: bigint; time: Date; temperature: number }[]>`
    SELECT DISTINCT ON ("deviceId") "deviceId", id AS "readingId", "time", temperature FROM "Reading"
     WHERE "deviceId" IS NOT NULL ORDER BY "deviceId", "time" DESC, id DESC`;
  const model = await p.deviceLatestReading.findMany({ select: { deviceId: true, readingId: true, time: true, temperature: true }, orderBy: { deviceId: 'asc' } });
  return { raw, model };
}

/** DeviceLatestReading.outside for every device, and what thresholds.ts says of the same reading now. */
async function outsideFromBoth() {
  const setting = await p.setting.findUnique({ where: { key: GROUP_LIMITS_SETTING } });
  const defaults = parseGroupLimits(setting?.value);
  const rows = await p.$queryRaw<{ deviceId: string; temperature: number; outside: boolean; minTemperature: number | null; maxTemperature: number | null; group: string }[]>`
    SELECT l."deviceId", l.temperature, l.outside, d."minTemperature", d."maxTemperature", d."group"
      FROM "DeviceLatestReading" l JOIN "Device" d ON d.id = l."deviceId" ORDER BY 1`;
  return {
    model: rows.map((r) => [r.deviceId, r.outside]),
    truth: rows.map((r) => [r.deviceId, limitState(r.temperature, effectiveLimits(r, defaults[r.group])) !== 'within']),
  };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  holder.prisma = p = testDb.prisma;
});

afterAll(async () => {
  await testDb?.stop();
});

describe('DeviceLatestReading', () => {
  it('equals the raw readings after inserts out of order, ties, updates, moves and deletes', async () => {
    const a = (await createTestDevice(p, { name: 'latest-a' })).id;
    const b = (await createTestDevice(p, { name: 'latest-b' })).id;
    const fp = randomFingerprint();
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60 * SECOND);
    const check = async (what: string) => {
      const { raw, model } = await latestFromBoth();
      expect(model, what).toEqual(raw);
    };

    await insertReadings(p, { deviceId: a, fingerprint: fp, from: at(0), count: 10, stepMs: 60 * SECOND, temperature: (i) => i });
    await check('first batch');
    // An older batch arriving later (a device that was offline) changes nothing; a newer one wins.
    await insertReadings(p, { deviceId: a, fingerprint: fp, from: at(-100), count: 5, stepMs: 60 * SECOND, temperature: () => -5 });
    await check('older batch');
    expect((await p.deviceLatestReading.findUniqueOrThrow({ where: { deviceId: a } })).temperature).toBe(9);
    // Two readings of one device at the same instant in one statement, and one unlinked reading.
    await p.$executeRaw`INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature")
      VALUES (${a}, ${fp}, ${at(20)}, 20), (${a}, ${fp}, ${at(20)}, 21), (${b}, ${fp}, ${at(5)}, 50), (NULL, ${fp}, ${at(99)}, 99)`;
    await check('ties');
    expect((await p.deviceLatestReading.findUniqueOrThrow({ where: { deviceId: a } })).temperature).toBe(21);
    // The same instant again in a later statement: the later row (greater id) is the newest.
    await p.$executeRaw`INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature") VALUES (${a}, ${fp}, ${at(20)}, 22)`;
    await check('tie in a later statement');
    // A correction of the newest reading, a reading moved from a to b, and the newest deleted.
    await p.$executeRaw`UPDATE "Reading" SET temperature = 23 WHERE "deviceId" = ${a} AND temperature = 22`;
    await check('update');
    await p.$executeRaw`UPDATE "Reading" SET "deviceId" = ${b} WHERE "deviceId" = ${a} AND "time" = ${at(20)}`;
    await check('move');
    expect((await p.deviceLatestReading.findUniqueOrThrow({ where: { deviceId: a } })).temperature).toBe(9);
    await p.$executeRaw`DELETE FROM "Reading" WHERE "deviceId" = ${b} AND "time" = ${at(20)}`;
    await check('delete');
    await p.$executeRaw`DELETE FROM "Reading" WHERE "deviceId" = ${b}`;
    await check('every reading of a device deleted');
    expect(await p.deviceLatestReading.findUnique({ where: { deviceId: b } })).toBeNull();
    await p.$executeRaw`DELETE FROM "Reading" WHERE "deviceId" = ${a}`;
  });
});

describe('getFleetReadings at size', () => {
  const groups = ['g-a', 'g-b', 'g-c'];
  // 130 devices in three groups with every health (intervals of 1 s to 2 h, some never seen, some on a
  // boundary to the millisecond), some with readings outside their own or their group's limits; canaries
  // and decommissioned devices are never listed.
  beforeAll(async () => {
    await p.$executeRaw`DELETE FROM "Reading"`;
    await p.$executeRaw`DELETE FROM "Device"`;
    const ages = [null, 0, 59 * SECOND, 120 * SECOND, 120 * SECOND + 1, 600 * SECOND, 600 * SECOND + 1, 3_600 * SECOND, 86_400 * SECOND, 86_400 * SECOND + 1, 10 * 86_400 * SECOND, -30 * SECOND];
    const intervals = [1, 60, 300, 7_200];
    for (let i = 0; i < 130; i++) {
      const age = ages[i % ages.length]!;
      const name = `s-${String(i).padStart(3, '0')}${i % 17 === 0 ? '_x%' : ''}`;
      const device = await createTestDevice(p, {
        name,
        group: groups[i % 3],
        reportIntervalSec: intervals[i % intervals.length],
        lastSeenAt: age === null ? null : new Date(now.getTime() - age),
        minTemperature: i % 5 === 0 ? 2 : null,
      });
      if (i % 11 !== 0) {
        await insertReadings(p, { deviceId: device.id, fingerprint: randomFingerprint(), from: new Date(now.getTime() - 3_600 * SECOND), count: 2, stepMs: 60 * SECOND, temperature: (j) => (j ? i % 7 : 100) });
      }
    }
    await p.device.create({ data: { name: 'canary-1', group: 'g-a', commonName: 'canary-1', isCanary: true, lastSeenAt: now } });
    await p.device.create({ data: { name: 'gone-1', group: 'g-a', commonName: 'gone-1', status: 'DECOMMISSIONED', lastSeenAt: now } });
  });

  it('counts health in SQL exactly as classifyHealth does, device by device', async () => {
    holder.user = manager;
    const listed = await p.device.findMany({ where: { isCanary: false, status: { in: ['ACTIVE', 'INACTIVE'] } }, orderBy: [{ group: 'asc' }, { name: 'asc' }] });
    const expected = Object.fromEntries(HEALTH_STATES.map((h) => [h, 0]));
    for (const d of listed) expected[classifyHealth(d.lastSeenAt, d.reportIntervalSec, now)]!++;
    const view = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now);
    expect(view.healthCounts).toEqual(expected);
    expect(Object.values(expected).every((n) => n > 0)).toBe(true);

    // Every page in turn: the listed devices in group-then-name order, each with the health the rule gives.
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const v = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now, { table: { page, health: null, q: '' } });
      expect(v.devicesPage).toMatchObject({ page, total: listed.length, pageSize: FLEET_TABLE_PAGE_SIZE });
      for (const d of v.devices) {
        const truth = listed.find((l) => l.id === d.id)!;
        expect(d.health, d.name).toBe(classifyHealth(truth.lastSeenAt, truth.reportIntervalSec, now));
      }
      seen.push(...v.devices.map((d) => d.name));
      if (page * FLEET_TABLE_PAGE_SIZE >= listed.length) break;
    }
    expect(seen).toEqual(listed.map((d) => d.name));
    // The edges move with every write of the last report or the interval (a pull, an admin's change, a hand edit).
    await p.device.updateMany({ where: { group: 'g-a' }, data: { reportIntervalSec: 3_600 } });
    await p.$executeRaw`UPDATE "Device" SET "lastSeenAt" = ${new Date(now.getTime() - 90 * SECOND)}, "liveUntil" = NULL WHERE name = 's-001'`;
    const changed = await p.device.findMany({ where: { isCanary: false, status: { in: ['ACTIVE', 'INACTIVE'] } } });
    const again = Object.fromEntries(HEALTH_STATES.map((h) => [h, 0]));
    for (const d of changed) again[classifyHealth(d.lastSeenAt, d.reportIntervalSec, now)]!++;
    expect(again).not.toEqual(expected);
    expect((await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now)).healthCounts).toEqual(again);

    // A page past the end shows the last one.
    const past = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now, { table: { page: 999, health: null, q: '' } });
    expect(past.devicesPage.page).toBe(Math.ceil(listed.length / FLEET_TABLE_PAGE_SIZE));
  });

  it('filters the table by health and by a name fragment taken literally', async () => {
    holder.user = manager;
    const listed = await p.device.findMany({ where: { isCanary: false, status: { in: ['ACTIVE', 'INACTIVE'] } }, orderBy: [{ group: 'asc' }, { name: 'asc' }] });
    for (const health of HEALTH_STATES) {
      const view = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now, { table: { page: 1, health, q: '' } });
      const truth = listed.filter((d) => classifyHealth(d.lastSeenAt, d.reportIntervalSec, now) === health);
      expect(view.devicesPage.total, health).toBe(truth.length);
      expect(view.devices.map((d) => d.name)).toEqual(truth.slice(0, FLEET_TABLE_PAGE_SIZE).map((d) => d.name));
    }
    // "_x%" is text to find, not a pattern: only the names that hold it.
    const literal = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now, { table: { page: 1, health: null, q: '_x%' } });
    expect(literal.devices.map((d) => d.name)).toEqual(listed.filter((d) => d.name.includes('_x%')).map((d) => d.name));
    expect(literal.devicesPage.total).toBe(8);
    const none = await getFleetReadings({ group: null, deviceIds: [] }, presetRange('24h', now), now, { table: { page: 3, health: 'live', q: 'no-such' } });
    expect(none.devicesPage).toMatchObject({ page: 1, total: 0 });
    expect(none.devices).toEqual([]);
  });

  it('keeps each newest reading judged against its limits through every change of limits, group or reading', async () => {
    const check = async (what: string) => {
      const { model, truth } = await outsideFromBoth();
      expect(model, what).toEqual(truth);
      return model.filter(([, outside]) => outside).length;
    };
    expect(await check('readings against the devices’ own limits')).toBeGreaterThan(0);
    holder.user = admin;
    await updateGroupLimits({ group: 'g-c', minTemperature: 4, maxTemperature: 5 });
    const withGroup = await check('a group default set');
    await updateGroupLimits({ group: 'g-c', minTemperature: 4.5, maxTemperature: null });
    await check('a group default changed');
    const device = await p.device.findFirstOrThrow({ where: { name: 's-002' } });
    await updateDeviceLimits({ deviceId: device.id, minTemperature: 100, maxTemperature: null, reportIntervalSec: device.reportIntervalSec });
    await check('a device’s own limits');
    await p.device.update({ where: { id: device.id }, data: { group: 'g-c' } });
    await check('a device moved to another group');
    await p.device.update({ where: { id: device.id }, data: { group: device.group, minTemperature: null } });
    await insertReadings(p, { deviceId: device.id, fingerprint: randomFingerprint(), from: now, count: 1, stepMs: SECOND, temperature: () => 4.7 });
    await check('a new reading');
    await updateGroupLimits({ group: 'g-c', minTemperature: null, maxTemperature: null });
    expect(await check('a group default cleared')).toBeLessThan(withGroup);
    // A hand-edited setting that is not an object judges every group as having no defaults, as the pages read it.
    await p.setting.update({ where: { key: GROUP_LIMITS_SETTING }, data: { value: ['not', 'limits'] } });
    await check('a broken setting');
    await p.setting.delete({ where: { key: GROUP_LIMITS_SETTING } });
    await check('the setting deleted');
  });

  it('lists the devices outside their limits now from the read model, the first hundred and how many', async () => {
    holder.user = admin;
    await updateGroupLimits({ group: 'g-b', minTemperature: null, maxTemperature: 3 });
    holder.user = manager;
    const view = await getFleetReadings({ group: 'g-b', deviceIds: [] }, presetRange('24h', now), now);
    const listed = await p.device.findMany({
      where: { isCanary: false, status: { in: ['ACTIVE', 'INACTIVE'] } },
      include: { readings: { orderBy: [{ time: 'desc' }, { id: 'desc' }], take: 1 } },
      orderBy: [{ group: 'asc' }, { name: 'asc' }],
    });
    const truth = listed.filter((d) => {
      const last = d.readings[0];
      const health = classifyHealth(d.lastSeenAt, d.reportIntervalSec, now);
      const min = d.minTemperature ?? null;
      const max = d.maxTemperature ?? (d.group === 'g-b' ? 3 : null);
      return last && (health === 'live' || health === 'late') && ((min !== null && last.temperature < min) || (max !== null && last.temperature > max));
    });
    expect(truth.length).toBeGreaterThan(5);
    expect(view.outOfLimitsTotal).toBe(truth.length);
    expect(view.outOfLimits.map((d) => d.name)).toEqual(truth.slice(0, OUT_OF_LIMITS_SHOWN).map((d) => d.name));
    expect(view.outOfLimits.every((d) => d.latest && d.latest.state !== 'within')).toBe(true);
    // The drawn group, its size from the DeviceCount read model.
    expect(view.selection.group).toBe('g-b');
    expect(view.groups.find((g) => g.name === 'g-b')).toEqual({ name: 'g-b', devices: listed.filter((d) => d.group === 'g-b').length, limits: { min: null, max: 3 } });
    expect(view.groups.reduce((n, g) => n + g.devices, 0)).toBe(listed.length);
  });

  it('draws hand-picked devices from any page, and only listed ones', async () => {
    holder.user = manager;
    const [first, last] = await Promise.all([
      p.device.findFirstOrThrow({ where: { name: 's-000_x%' } }),
      p.device.findFirstOrThrow({ where: { name: 's-129' } }),
    ]);
    const canary = await p.device.findFirstOrThrow({ where: { name: 'canary-1' } });
    const view = await getFleetReadings({ group: null, deviceIds: [last.id, canary.id, first.id] }, presetRange('24h', now), now);
    expect(view.selection).toMatchObject({ group: null, deviceIds: [first.id, last.id] });
    expect(view.series.map((s) => s.name)).toEqual(['s-000_x%', 's-129']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import {
  combinedBucketsSql,
  deviceBucketsSql,
  rawCombinedBucketsSql,
  rawDeviceBucketsSql,
  type SqlRunner,
} from './buckets';

// The hourly rollup ("ReadingHour", migration reading_hours) against the raw readings, in a database of
// this file's own: the rollup table equals a GROUP BY over "Reading" after inserts (one by one, in
// batches, duplicates skipped by ON CONFLICT as the pull does), updates and deletes; and the charts'
// bucket queries that read it return what the raw-only queries return, for ranges cut mid-hour.

let testDb: TestDatabase;
let prisma: PrismaClient;
let run: SqlRunner;
const HOUR = 3_600_000;
/** 20 days of readings ending at a time that is not on an hour. */
const end = new Date('2031-05-20T10:37:12.345Z');
const start = new Date(end.getTime() - 20 * 24 * HOUR);
const devices = ['rh-a', 'rh-b', 'rh-c'];

beforeAll(async () => {
  testDb = await createTestDatabase();
  prisma = testDb.prisma;
  run = (text, values) => prisma.$queryRawUnsafe(text, ...values);
  for (const id of devices) await prisma.device.create({ data: { id, name: id, group: 'rh', commonName: id } });
  // Every 7 minutes (so hours hold 8 or 9), a wave with spikes, a few from no device, in one statement.
  await prisma.$executeRaw`
    INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", temperature, "workerSeq")
    SELECT CASE WHEN g % 53 = 0 THEN NULL ELSE (ARRAY['rh-a', 'rh-b', 'rh-c'])[1 + g % 3] END, 'fp-' || (g % 3),
           ${start.toISOString()}::timestamptz + g * interval '7 minutes' / 3,
           20 + 5 * sin(g / 50.0) + CASE WHEN g % 997 = 0 THEN 40 ELSE 0 END, g
      FROM generate_series(0, ${Math.floor((20 * 24 * 60 * 3) / 7)}::int) AS g`;
});

afterAll(async () => {
  await testDb?.stop();
});

async function expectRollupTrue(): Promise<void> {
  const [rolled, raw] = await Promise.all([
    prisma.$queryRaw<{ d: string; h: Date; mn: number; mx: number; s: number; n: number }[]>`
      SELECT "deviceId" AS d, "hour" AS h, "min" AS mn, "max" AS mx, "sum" AS s, "count" AS n FROM "ReadingHour" ORDER BY 1, 2`,
    prisma.$queryRaw<{ d: string; h: Date; mn: number; mx: number; s: number; n: number }[]>`
      SELECT "deviceId" AS d, date_bin('1 hour', "time", TIMESTAMPTZ 'epoch') AS h, min(temperature) AS mn, max(temperature) AS mx,
             sum(temperature) AS s, count(*)::int AS n
        FROM "Reading" WHERE "deviceId" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  expect(rolled.length).toBe(raw.length);
  expect(rolled.map(({ s: _s, ...r }) => r)).toEqual(raw.map(({ s: _s, ...r }) => r));
  rolled.forEach((r, i) => expect(r.s).toBeCloseTo(raw[i]!.s, 6));
}

function expectSameBuckets(got: Record<string, unknown>[], want: Record<string, unknown>[]): void {
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ avg: _avg, ...rest }) => rest);
  expect(strip(got)).toEqual(strip(want));
  got.forEach((row, i) => expect(Number(row.avg)).toBeCloseTo(Number(want[i]!.avg), 9));
}

/** Ranges cut mid-hour at both ends (and one on whole hours), at widths from 15 min to a day. */
async function expectChartsMatch(): Promise<void> {
  const ranges = [
    { from: new Date(end.getTime() - 24 * HOUR), to: end },
    { from: new Date(end.getTime() - 7 * 24 * HOUR - 1_234), to: new Date(end.getTime() - 17 * 60_000) },
    { from: new Date(start.getTime() - 5 * HOUR), to: end },
    { from: new Date(Math.ceil(start.getTime() / HOUR) * HOUR + 2 * HOUR), to: new Date(Math.floor(end.getTime() / HOUR) * HOUR) },
    { from: new Date(end.getTime() - 40 * 60_000), to: end },
  ];
  let rolled = 0;
  for (const range of ranges) {
    for (const widthSeconds of [undefined, 900, 3_600, 10_800, 86_400]) {
      const q = { deviceIds: devices.slice(0, 2), ...range, widthSeconds };
      const device = deviceBucketsSql(q);
      if (device.text.includes('ReadingHour')) rolled++;
      expectSameBuckets(await run(device.text, device.values), await run(rawDeviceBucketsSql(q).text, rawDeviceBucketsSql(q).values));
      const combined = combinedBucketsSql(q);
      expectSameBuckets(await run(combined.text, combined.values), await run(rawCombinedBucketsSql(q).text, rawCombinedBucketsSql(q).values));
    }
  }
  // Most of those read the rollup (hour-or-wider widths with a whole hour in range); the rest, raw.
  expect(rolled).toBeGreaterThan(10);
}

describe('the hourly readings rollup', () => {
  it('equals the raw readings after a bulk insert, and the charts read from it equal the raw charts', async () => {
    await expectRollupTrue();
    await expectChartsMatch();
  });

  it('stays true after single inserts, a duplicate skipped as the pull skips it, and a new extreme', async () => {
    const t = new Date(end.getTime() - 3 * HOUR - 5_000);
    await prisma.reading.create({ data: { deviceId: 'rh-a', certificateFingerprint: 'fp-new', time: t, temperature: -30, workerSeq: 1n } });
    const inserted = await prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", temperature, "workerSeq")
      VALUES ('rh-a', 'fp-new', ${t.toISOString()}::timestamptz, 99, 1), ('rh-b', 'fp-new', ${t.toISOString()}::timestamptz, 80, 2)
      ON CONFLICT ("certificateFingerprint", "workerSeq") DO NOTHING`;
    expect(inserted).toBe(1);
    await expectRollupTrue();
    const [hour] = await prisma.$queryRaw<{ mn: number; mx: number }[]>`
      SELECT "min" AS mn, "max" AS mx FROM "ReadingHour" WHERE "deviceId" = 'rh-a' AND "hour" = date_bin('1 hour', ${t.toISOString()}::timestamptz, TIMESTAMPTZ 'epoch')`;
    expect(hour!.mn).toBe(-30);
    await expectChartsMatch();
  });

  it('stays true after readings are corrected, moved to another device, or deleted (an extreme included)', async () => {
    await prisma.$executeRaw`UPDATE "Reading" SET temperature = temperature + 1 WHERE "deviceId" = 'rh-b' AND "workerSeq" % 11 = 0`;
    await prisma.$executeRaw`UPDATE "Reading" SET "deviceId" = 'rh-c' WHERE "deviceId" = 'rh-a' AND "workerSeq" % 13 = 0`;
    await prisma.$executeRaw`DELETE FROM "Reading" WHERE temperature = -30 OR ("deviceId" = 'rh-b' AND "workerSeq" % 17 = 0)`;
    await expectRollupTrue();
    await expectChartsMatch();
  });
});


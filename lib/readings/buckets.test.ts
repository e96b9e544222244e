import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import {
  bucketCount,
  bucketWidthSeconds,
  formatBucketWidth,
  MAX_POINTS,
  NICE_WIDTHS_SECONDS,
  queryCombinedBuckets,
  queryDeviceBuckets,
  summarise,
  type SqlRunner,
} from './buckets';
import { RANGE_PRESETS } from './ranges';
import { createTestDevice } from './test-factories';

const DAY = 86_400_000;

describe('bucket width', () => {
  it.each(Object.entries(RANGE_PRESETS))(`keeps the %s preset at or under ${MAX_POINTS} buckets, from any start`, (_key, { ms }) => {
    const width = bucketWidthSeconds(0, ms);
    expect(NICE_WIDTHS_SECONDS).toContain(width);
    // Unaligned starts touch one bucket more than aligned ones; both stay under the cap.
    for (const from of [0, 1, 12_345_678, Date.UTC(2026, 4, 3, 7, 13, 11, 9)]) {
      expect(bucketCount(from, from + ms, width)).toBeLessThanOrEqual(MAX_POINTS);
    }
    // …and the next smaller nice width would not.
    const smaller = NICE_WIDTHS_SECONDS[NICE_WIDTHS_SECONDS.indexOf(width as (typeof NICE_WIDTHS_SECONDS)[number]) - 1];
    if (smaller) expect(ms / 1000 / smaller).toBeGreaterThan(MAX_POINTS - 1);
  });

  it('names the widths of the presets the way a tooltip says them', () => {
    expect(Object.values(RANGE_PRESETS).map(({ ms }) => formatBucketWidth(bucketWidthSeconds(0, ms)))).toEqual(['5 s', '2 min', '15 min', '1 h', '3 h']);
  });

  it('caps odd and huge ranges too', () => {
    for (const span of [1, 999, 61_000, 400 * DAY, 3 * 365 * DAY]) {
      const w = bucketWidthSeconds(5, 5 + span);
      expect(bucketCount(5, 5 + span, w)).toBeLessThanOrEqual(MAX_POINTS);
    }
  });
});

describe('bucketing in SQL', () => {
  let testDb: TestDatabase;
  let run: SqlRunner;
  let deviceId: string;
  let otherId: string;
  // 90 days of a reading every 5 minutes, ending at a fixed instant so the buckets can be named.
  const to = new Date(Date.UTC(2026, 5, 30, 0, 0, 0));
  const from = new Date(to.getTime() - 90 * DAY);
  const spikeAt = new Date(Date.UTC(2026, 4, 17, 13, 37, 21, 123)); // not on any bucket edge
  const dipAt = new Date(Date.UTC(2026, 3, 9, 2, 11, 5));

  beforeAll(async () => {
    testDb = await createTestDatabase();
    run = (text, values) => testDb.prisma.$queryRawUnsafe(text, ...values);
    deviceId = (await createTestDevice(testDb.prisma)).id;
    otherId = (await createTestDevice(testDb.prisma)).id;
    // A smooth daily curve in 10–30 °C from generate_series, plus one spike and one dip the buckets must not hide.
    await testDb.prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature")
      SELECT ${deviceId}, 'fp-bucket-test', t, 20 + 10 * sin(extract(epoch FROM t) / 86400 * 2 * pi())
        FROM generate_series(${from}::timestamptz, ${to}::timestamptz - interval '5 minutes', interval '5 minutes') AS t`;
    await testDb.prisma.$executeRaw`
      INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature")
      VALUES (${deviceId}, 'fp-bucket-test', ${spikeAt}, 99.5), (${deviceId}, 'fp-bucket-test', ${dipAt}, -40.25),
             (${otherId}, 'fp-bucket-other', ${spikeAt}, 1), (${otherId}, 'fp-bucket-other', ${dipAt}, 3)`;
  });

  afterAll(async () => {
    await testDb?.stop();
  });

  it('returns at most 1,000 points for 90 days, carrying the true min and max', async () => {
    const { widthSeconds, buckets } = await queryDeviceBuckets(run, { deviceIds: [deviceId], from, to });
    const points = buckets.get(deviceId)!;
    expect(widthSeconds).toBe(10_800);
    expect(points.length).toBeGreaterThan(700);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);

    const [truth] = await testDb.prisma.$queryRaw<{ min: number; max: number; n: number; avg: number }[]>`
      SELECT min("temperature") AS min, max("temperature") AS max, count(*)::int AS n, avg("temperature") AS avg
        FROM "Reading" WHERE "deviceId" = ${deviceId} AND "time" >= ${from} AND "time" < ${to}`;
    const summary = summarise(points);
    expect(summary).toMatchObject({ min: -40.25, max: 99.5, count: truth!.n });
    expect(summary.min).toBe(truth!.min);
    expect(summary.max).toBe(truth!.max);
    expect(summary.avg).toBeCloseTo(truth!.avg, 9);
    // The spike sits in the bucket that contains its instant.
    const spikeBucket = points.find((p) => p.max === 99.5)!;
    expect(spikeBucket.t).toBeLessThanOrEqual(spikeAt.getTime());
    expect(spikeBucket.t + widthSeconds * 1000).toBeGreaterThan(spikeAt.getTime());
  });

  it('aligns buckets to the epoch and puts a reading on an edge in the bucket it starts', async () => {
    const dev = (await createTestDevice(testDb.prisma)).id;
    const edge = Date.UTC(2026, 6, 1, 12, 0, 0); // a multiple of 120 s
    const at = (ms: number, temperature: number) => ({ t: new Date(ms), temperature });
    const rows = [at(edge - 1, 1), at(edge, 2), at(edge + 119_999, 3), at(edge + 120_000, 4)];
    for (const r of rows) {
      await testDb.prisma.$executeRaw`INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature") VALUES (${dev}, 'fp-edge', ${r.t}, ${r.temperature})`;
    }
    // A 24 h range → 120 s buckets; the range starts mid-bucket and ends exactly on the last reading (excluded).
    const q = { deviceIds: [dev], from: new Date(edge + 120_000 - DAY + 30_000), to: new Date(edge + 120_000) };
    const { widthSeconds, buckets } = await queryDeviceBuckets(run, q);
    expect(widthSeconds).toBe(120);
    expect(buckets.get(dev)).toEqual([
      { t: edge - 120_000, min: 1, max: 1, avg: 1, count: 1 },
      { t: edge, min: 2, max: 3, avg: 2.5, count: 2 },
    ]);
    // Moving `from` past the first reading drops it: the range filters raw times, not buckets.
    const later = await queryDeviceBuckets(run, { ...q, from: new Date(edge), widthSeconds: 120 });
    expect(later.buckets.get(dev)!.map((b) => [b.t, b.count])).toEqual([[edge, 2]]);
  });

  it('keeps devices apart per series and together in the combined series', async () => {
    const window = { from: new Date(spikeAt.getTime() - 3_600_000), to: new Date(spikeAt.getTime() + 3_600_000) };
    const per = await queryDeviceBuckets(run, { deviceIds: [deviceId, otherId], ...window });
    expect(summarise(per.buckets.get(otherId)!)).toMatchObject({ min: 1, max: 1, count: 1 });
    expect(summarise(per.buckets.get(deviceId)!).max).toBe(99.5);
    const combined = await queryCombinedBuckets(run, { deviceIds: [deviceId, otherId], ...window });
    const all = summarise(combined.buckets);
    expect(all).toMatchObject({ min: 1, max: 99.5 });
    expect(all.count).toBe(summarise(per.buckets.get(deviceId)!).count + 1);
  });
});

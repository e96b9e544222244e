import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '@/emulator/worker-runner';
import { MIGRATIONS_DIR } from '@/lib/db/migrate';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import type { SqlRunner } from './buckets';
import { findReadingFlags, type ReadingFlag } from './flags';
import { scanReadingFlags } from './flags-scan';
import { pullReadings } from './pull';
import { createTestCertificate, createTestDevice, insertReadings, randomFingerprint } from './test-factories';

// findReadingFlags() reads rollups the triggers keep as readings arrive (migrations reading_flag_rollups and
// reading_flag_days); the raw scan (scanReadingFlags) is the oracle. After every kind of write (seeded history, a
// pull from the Worker in workerd, a certificate revoked after its readings, one recorded after its readings
// arrived, one moved to another device, readings changed and deleted) both must give the same flags, for the
// fleet and for each device, over ranges cut mid-hour, on whole hours, on whole days, within one hour and across
// one hour boundary; and the rollup tables (hours, days, sources) must equal a GROUP BY over the raw readings.

const TOKEN = 'flags-test-token';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let worker: RunningWorker;
let testDb: TestDatabase;
let prisma: PrismaClient;
let run: SqlRunner;
/** Three days back from now, on no minute or hour boundary. */
const base = new Date(Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR + 17 * 60_000 + 23_456);
const at = (hours: number) => new Date(base.getTime() + hours * HOUR);
const ids: Record<'a' | 'b' | 'c' | 'quiet', string> = { a: '', b: '', c: '', quiet: '' };
const fp = { a: randomFingerprint(), b: randomFingerprint(), unknown: randomFingerprint(), stray: randomFingerprint(), late: randomFingerprint() };
const certs: Record<'a' | 'b', string> = { a: '', b: '' };
/** Kinds of flag the comparisons have seen, so the test cannot pass on empty results alone. */
const seen = new Set<string>();

beforeAll(async () => {
  [worker, testDb] = await Promise.all([startWorker({ exportToken: TOKEN, output: 'ignore' }), createTestDatabase()]);
  prisma = testDb.prisma;
  run = (text, values) => prisma.$queryRawUnsafe(text, ...values);
  for (const key of ['a', 'b', 'c', 'quiet'] as const) ids[key] = (await createTestDevice(prisma, { name: `flags-${key}-${Date.now()}` })).id;
  certs.a = (await createTestCertificate(prisma, { deviceId: ids.a, fingerprint: fp.a })).id;
  certs.b = (await createTestCertificate(prisma, { deviceId: ids.b, fingerprint: fp.b })).id;
});

afterAll(async () => {
  await Promise.all([worker?.stop(), testDb?.stop()]);
});

const sorted = (flags: ReadingFlag[]) =>
  [...flags].sort((x, y) => `${x.kind} ${x.fingerprint} ${x.certificateDeviceId}`.localeCompare(`${y.kind} ${y.fingerprint} ${y.certificateDeviceId}`));

async function expectRollupsTrue(): Promise<void> {
  const [hours, rawHours, days, rawDays, sources, rawSources] = await Promise.all([
    prisma.$queryRaw`SELECT * FROM "ReadingFlagHour" ORDER BY 1, 2, 3`,
    prisma.$queryRaw`
      SELECT "certificateFingerprint" AS "fingerprint", coalesce("deviceId", '') AS "deviceId", date_bin('1 hour', "time", TIMESTAMPTZ 'epoch') AS "hour",
             count(*)::int AS "count", min("time") AS "first", max("time") AS "last", min("receivedAt") AS "firstReceivedAt", max("receivedAt") AS "lastReceivedAt"
        FROM "Reading" WHERE "certificateFingerprint" <> '' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    prisma.$queryRaw`SELECT * FROM "ReadingFlagDay" ORDER BY 1, 2, 3`,
    prisma.$queryRaw`
      SELECT "certificateFingerprint" AS "fingerprint", coalesce("deviceId", '') AS "deviceId", date_bin('1 day', "time", TIMESTAMPTZ 'epoch') AS "day",
             count(*)::int AS "count", min("time") AS "first", max("time") AS "last", min("receivedAt") AS "firstReceivedAt", max("receivedAt") AS "lastReceivedAt"
        FROM "Reading" WHERE "certificateFingerprint" <> '' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    prisma.$queryRaw`SELECT * FROM "ReadingSource" ORDER BY 1, 2`,
    prisma.$queryRaw`
      SELECT "certificateFingerprint" AS "fingerprint", coalesce("deviceId", '') AS "deviceId", count(*)::int AS "count", min("time") AS "first",
             max("time") AS "last", max("receivedAt") AS "lastReceivedAt"
        FROM "Reading" WHERE "certificateFingerprint" <> '' GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  expect(hours).toEqual(rawHours);
  expect(days).toEqual(rawDays);
  expect((days as unknown[]).length).toBeGreaterThan(0);
  expect(sources).toEqual(rawSources);
  // The suspects: every certificate that can have a flag over all time, judged from the raw readings and the certificates now.
  const [suspects, rawSuspects] = await Promise.all([
    prisma.$queryRaw`SELECT "fingerprint" FROM "ReadingSuspect" ORDER BY 1`,
    prisma.$queryRaw`
      SELECT r."certificateFingerprint" AS "fingerprint" FROM "Reading" r LEFT JOIN "Certificate" c ON c."fingerprintSha256" = r."certificateFingerprint"
       WHERE r."certificateFingerprint" <> '' GROUP BY 1, c."id", c."deviceId", c."status", c."revocationEffectiveAt"
      HAVING c."id" IS NULL OR count(DISTINCT r."deviceId") > 1 OR bool_or(r."deviceId" IS NOT NULL AND c."deviceId" IS NOT NULL AND r."deviceId" <> c."deviceId")
          OR (c."status" = 'REVOKED' AND c."revocationEffectiveAt" IS NOT NULL AND max(r."receivedAt") >= c."revocationEffectiveAt")
       ORDER BY 1`,
  ]);
  expect(suspects).toEqual(rawSuspects);
  expect((suspects as unknown[]).length).toBeGreaterThan(0);
}

/** The rollup-based flags equal the raw scan's for every range below, fleet-wide and per device. */
async function expectFlagsMatchScan(): Promise<ReadingFlag[]> {
  await expectRollupsTrue();
  const end = new Date(Date.now() + HOUR);
  const ranges = [
    { from: at(-1), to: end },
    { from: at(5.2187), to: at(40.0333) },
    { from: at(30.05), to: at(30.6) },
    { from: new Date(Math.ceil(at(2).getTime() / HOUR) * HOUR), to: new Date(Math.ceil(at(50).getTime() / HOUR) * HOUR) },
    { from: at(29.9), to: at(31.1) },
    { from: new Date(Date.now() - 20 * 60_000), to: end },
    // Whole UTC days only, and whole days with cut hours on both sides (days from ReadingFlagDay, hours beside them).
    { from: new Date(Math.ceil(at(0).getTime() / DAY) * DAY), to: new Date(Math.floor(Date.now() / DAY) * DAY) },
    { from: new Date(Math.ceil(at(0).getTime() / DAY) * DAY - 5.5 * HOUR), to: new Date(Math.ceil(at(0).getTime() / DAY) * DAY + DAY + 7.25 * HOUR) },
  ];
  let all: ReadingFlag[] = [];
  for (const range of ranges) {
    for (const deviceId of [undefined, ids.a, ids.b, ids.c, ids.quiet]) {
      const q = { ...range, deviceId };
      const [got, want] = await Promise.all([findReadingFlags(run, q), scanReadingFlags(run, q)]);
      expect(sorted(got), JSON.stringify({ from: q.from, to: q.to, deviceId })).toEqual(sorted(want));
      for (const f of got) seen.add(f.kind);
      if (range === ranges[0] && !deviceId) all = got;
    }
  }
  return all;
}

/** Posts `count` readings as `fingerprint` to the Worker, one a minute from `from`. */
async function post(fingerprint: string, count: number, from: Date): Promise<void> {
  const cf = { tlsClientAuth: { certPresented: '1', certVerified: 'SUCCESS', certRevoked: '0', certFingerprintSHA256: fingerprint, certSerial: 'AB', certSKI: '' } };
  for (let n = 0; n < count; n++) {
    const res = await worker.dispatchFetch('https://edge.test/temps', {
      method: 'POST',
      body: JSON.stringify({ temperature: 20 + n / 100, time: new Date(from.getTime() + n * 60_000).toISOString() }),
      cf,
    });
    if (res.status !== 201) throw new Error(`post answered ${res.status}: ${await res.text()}`);
  }
}

const kinds = (flags: ReadingFlag[]) => flags.map((f) => `${f.kind} ${f.fingerprint === fp.a ? 'a' : f.fingerprint === fp.b ? 'b' : f.fingerprint === fp.unknown ? 'unknown' : f.fingerprint === fp.stray ? 'stray' : f.fingerprint === fp.late ? 'late' : f.fingerprint}`).sort();

describe('readings that should not exist, from the rollups', () => {
  it('equal the raw scan after seeded history (with and without a certificate, with and without a device)', async () => {
    const every7 = { count: 60 * 24 * 2 / 7, stepMs: 7 * 60_000, temperature: (i: number) => 20 + (i % 10) };
    const received = (t: Date) => new Date(t.getTime() + 90_000);
    await insertReadings(prisma, { deviceId: ids.a, fingerprint: fp.a, from: base, ...every7, receivedAt: received });
    await insertReadings(prisma, { deviceId: ids.b, fingerprint: fp.b, from: at(1.01), ...every7, receivedAt: received });
    await insertReadings(prisma, { deviceId: ids.c, fingerprint: '', from: base, ...every7 });
    await insertReadings(prisma, { deviceId: ids.c, fingerprint: fp.unknown, from: at(20.3), count: 50, stepMs: 5 * 60_000, temperature: () => 5 });
    await insertReadings(prisma, { deviceId: null, fingerprint: fp.unknown, from: at(29.95), count: 20, stepMs: 60_000, temperature: () => 6 });
    await insertReadings(prisma, { deviceId: ids.b, fingerprint: fp.a, from: at(30.2), count: 30, stepMs: 2 * 60_000, temperature: () => 7, receivedAt: received });
    expect(kinds(await expectFlagsMatchScan())).toEqual(['shared a', 'unknown unknown']);
  });

  it('equal the raw scan after pulls from the Worker (known, unknown and late-recorded certificates)', async () => {
    await post(fp.a, 30, at(30.5));
    await post(fp.stray, 12, at(10));
    await post(fp.late, 8, new Date(Date.now() - 30 * 60_000));
    const summary = await pullReadings(prisma, { exportUrl: worker.url, exportToken: TOKEN, batchSize: 7 });
    expect(summary.readings).toBe(50);
    expect(kinds(await expectFlagsMatchScan())).toEqual(['shared a', 'unknown late', 'unknown stray', 'unknown unknown']);
  });

  it('equal the raw scan after a certificate is revoked after its readings, inside an hour they were received in', async () => {
    // Seeded readings of a were received 90 s after their time; the pulled ones just now. Effective mid-hour.
    await prisma.certificate.update({ where: { id: certs.a }, data: { status: 'REVOKED', revokedAt: at(30.3), revocationEffectiveAt: at(30.3) } });
    const flags = await expectFlagsMatchScan();
    expect(kinds(flags)).toEqual(['revoked a', 'shared a', 'unknown late', 'unknown stray', 'unknown unknown']);
    // The pulled 30 and the seeded ones received after 30.3 h (a's own and those linked to b).
    expect(flags.find((f) => f.kind === 'revoked')!.readings).toBeGreaterThan(30);
  });

  it('equal the raw scan after a certificate is recorded after its readings arrived, and after one moves to another device', async () => {
    await createTestCertificate(prisma, { deviceId: ids.c, fingerprint: fp.unknown });
    await createTestCertificate(prisma, { deviceId: ids.quiet, fingerprint: fp.late });
    expect(kinds(await expectFlagsMatchScan())).toEqual(['revoked a', 'shared a', 'unknown stray']);
    await prisma.certificate.update({ where: { id: certs.b }, data: { deviceId: ids.c } });
    expect(kinds(await expectFlagsMatchScan())).toEqual(['revoked a', 'shared a', 'shared b', 'unknown stray']);
  });

  it('equal the raw scan after readings are moved between devices, unlinked, re-timed and deleted', async () => {
    await prisma.$executeRaw`UPDATE "Reading" SET "deviceId" = ${ids.quiet} WHERE "certificateFingerprint" = ${fp.b} AND "id" % 5 = 0`;
    await prisma.$executeRaw`UPDATE "Reading" SET "deviceId" = NULL WHERE "certificateFingerprint" = ${fp.a} AND "id" % 7 = 0`;
    await prisma.$executeRaw`UPDATE "Reading" SET "time" = "time" + interval '37 minutes' WHERE "certificateFingerprint" = ${fp.a} AND "id" % 3 = 0`;
    await prisma.$executeRaw`DELETE FROM "Reading" WHERE "certificateFingerprint" = ${fp.stray} OR ("certificateFingerprint" = ${fp.a} AND "deviceId" = ${ids.b})`;
    expect(kinds(await expectFlagsMatchScan())).toEqual(['revoked a', 'shared b']);
    expect([...seen].sort()).toEqual(['revoked', 'shared', 'unknown']);
  });

  it('get their days back from the hours through the backfill of migration reading_flag_days', async () => {
    const migration = readFileSync(path.join(MIGRATIONS_DIR, '20261207201000_reading_flag_days', 'migration.sql'), 'utf8');
    const backfill = migration.slice(migration.indexOf('-- Backfill'));
    expect(backfill).toMatch(/^-- Backfill[^]*INSERT INTO "ReadingFlagDay"/);
    await prisma.$executeRaw`DELETE FROM "ReadingFlagDay"`;
    await prisma.$executeRawUnsafe(backfill);
    expect(kinds(await expectFlagsMatchScan())).toEqual(['revoked a', 'shared b']);
  });
});

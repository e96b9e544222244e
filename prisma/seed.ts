import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { DEMO_PASSWORD, DEMO_USERS } from '@/lib/auth/demo-users';
import { DEMO_FLEET, demoGroup, demoTemperature, seededRandom, type DemoDevice } from '@/lib/demo/fleet';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/** The audit event that marks a database as seeded; the table is append-only, so the mark stays. */
export const SEED_ACTION = 'demo.seed';
/** The demo password is published in the README; cost 10 keeps three hashes under half a second. */
const SEED_BCRYPT_COST = 10;
/** Rows per INSERT … unnest: large enough to be quick, small enough to keep one statement's parameters modest. */
const READINGS_PER_INSERT = 25_000;

/** What `issueCertificate` is told about the device it issues for (the row exists already). */
export interface SeedDevice {
  id: string;
  name: string;
  commonName: string;
  group: string;
}

export interface SeedDemoOptions {
  /** The moment the history ends at; default the current time. */
  now?: Date;
  /** Days of history per device (default 7) and seconds between two seeded readings (default 300). */
  historyDays?: number;
  stepSeconds?: number;
  /**
   * Issues a client certificate for a seeded device, e.g. through the local Cloudflare API, and records
   * it (the Certificate row, linked to `device.id`). Its SHA-256 fingerprint (lowercase hex) then marks
   * the device's history readings and `lastSeenFingerprint`. Without it the devices get no certificate and
   * their readings the fingerprint '' (they still carry `deviceId`).
   */
  issueCertificate?: (device: SeedDevice) => Promise<{ fingerprint: string }>;
  log?: (line: string) => void;
}

export interface SeedDemoResult {
  /** false: the database had been seeded before, nothing was written. */
  seeded: boolean;
  users: number;
  devices: number;
  certificates: number;
  readings: number;
}

/**
 * Seeds the demo: the three demo logins (lib/auth/demo-users.ts) when there are no users, and the demo
 * fleet (lib/demo/fleet.ts) with a week of readings when there is no other fleet. Runs once per
 * database: a finished seed leaves a `demo.seed` audit event, and later calls return `seeded: false`.
 * An interrupted seed resumes where it stopped: existing demo devices, their certificates and their
 * readings are kept, not doubled.
 */
export async function seedDemo(prisma: PrismaClient, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const log = opts.log ?? (() => {});
  const nothing = { seeded: false, users: 0, devices: 0, certificates: 0, readings: 0 };
  if (await prisma.auditEvent.count({ where: { action: SEED_ACTION } })) return nothing;

  const now = opts.now ?? new Date();
  const users = await seedUsers(prisma);
  if (users) log(`${users} demo users`);

  const demoNames = DEMO_FLEET.map((d) => d.name);
  const otherDevices = await prisma.device.count({ where: { isCanary: false, name: { notIn: demoNames } } });
  let fleet = { devices: 0, certificates: 0, readings: 0 };
  if (otherDevices === 0) {
    fleet = await seedFleet(prisma, now, opts, log);
  } else {
    log(`fleet not seeded: the database already has ${otherDevices} devices of its own`);
  }

  await prisma.auditEvent.create({
    data: {
      actorEmail: 'system:seed',
      action: SEED_ACTION,
      targetType: 'database',
      targetLabel: 'demo data',
      details: { users, ...fleet, now: now.toISOString() },
    },
  });
  return { seeded: true, users, ...fleet };
}

async function seedUsers(prisma: PrismaClient): Promise<number> {
  // Only into an empty table: demo logins next to real accounts would be a known-password door.
  if (await prisma.user.count()) return 0;
  const data = [];
  for (const user of DEMO_USERS) {
    data.push({ ...user, passwordHash: await bcrypt.hash(DEMO_PASSWORD, SEED_BCRYPT_COST) });
  }
  return (await prisma.user.createMany({ data, skipDuplicates: true })).count;
}

async function seedFleet(
  prisma: PrismaClient,
  now: Date,
  opts: SeedDemoOptions,
  log: (line: string) => void,
): Promise<{ devices: number; certificates: number; readings: number }> {
  const lastSeen = (d: DemoDevice) => new Date(now.getTime() - d.lastSeenSecondsAgo * 1000);
  const created = await prisma.device.createMany({
    skipDuplicates: true,
    data: DEMO_FLEET.map((d) => {
      const group = demoGroup(d.group);
      return {
        name: d.name,
        group: d.group,
        tags: d.tags,
        commonName: d.name,
        status: d.inactive ? ('INACTIVE' as const) : ('ACTIVE' as const),
        reportIntervalSec: d.reportIntervalSec,
        lastSeenAt: lastSeen(d),
        minTemperature: group.minTemperature,
        maxTemperature: group.maxTemperature,
      };
    }),
  });
  const rows = await prisma.device.findMany({
    where: { name: { in: DEMO_FLEET.map((d) => d.name) } },
    select: {
      id: true,
      name: true,
      commonName: true,
      group: true,
      certificates: { select: { fingerprintSha256: true }, orderBy: { issuedOn: 'desc' }, take: 1 },
      _count: { select: { readings: true } },
    },
  });
  log(`${created.count} demo devices`);

  let certificates = 0;
  const fingerprints = new Map<string, string>();
  for (const row of rows) {
    let fingerprint = row.certificates[0]?.fingerprintSha256;
    if (!fingerprint && opts.issueCertificate) {
      ({ fingerprint } = await opts.issueCertificate({ id: row.id, name: row.name, commonName: row.commonName, group: row.group }));
      certificates++;
    }
    if (fingerprint) fingerprints.set(row.id, fingerprint);
  }
  if (certificates) log(`${certificates} certificates issued`);
  if (fingerprints.size) {
    await prisma.$executeRaw`
      UPDATE "Device" AS d SET "lastSeenFingerprint" = v.fingerprint
        FROM unnest(${[...fingerprints.keys()]}::text[], ${[...fingerprints.values()]}::text[]) AS v(id, fingerprint)
       WHERE d.id = v.id`;
  }

  const byName = new Map(DEMO_FLEET.map((d) => [d.name, d]));
  const batch = new ReadingBatch(prisma);
  for (const row of rows.filter((r) => r._count.readings === 0)) {
    const device = byName.get(row.name)!;
    await batch.addHistory(row.id, fingerprints.get(row.id) ?? '', device, lastSeen(device), now, opts);
  }
  const readings = await batch.flush();
  log(`${readings} readings`);
  return { devices: created.count, certificates, readings };
}

/** Collects readings column by column and writes them with INSERT … SELECT FROM unnest: one round trip per batch. */
class ReadingBatch {
  private deviceIds: string[] = [];
  private fingerprints: string[] = [];
  private times: string[] = [];
  private temperatures: number[] = [];
  private written = 0;

  constructor(private readonly prisma: PrismaClient) {}

  /** Readings every `stepSeconds` from `historyDays` before `now` up to the device's last report. */
  async addHistory(deviceId: string, fingerprint: string, device: DemoDevice, last: Date, now: Date, opts: SeedDemoOptions) {
    const stepMs = (opts.stepSeconds ?? 300) * 1000;
    const from = now.getTime() - (opts.historyDays ?? 7) * 86_400_000;
    const random = seededRandom(`${device.name}:readings`);
    // Walks back from the last report so that the newest reading is exactly `lastSeenAt`.
    const first = last.getTime() - Math.floor((last.getTime() - from) / stepMs) * stepMs;
    for (let t = first; t <= last.getTime(); t += stepMs) {
      const at = new Date(t);
      this.deviceIds.push(deviceId);
      this.fingerprints.push(fingerprint);
      this.times.push(at.toISOString());
      this.temperatures.push(demoTemperature(device, at, now, random));
      if (this.times.length >= READINGS_PER_INSERT) await this.flush();
    }
  }

  async flush(): Promise<number> {
    if (this.times.length) {
      // History readings never went through the Worker: no workerSeq; received when taken.
      this.written += await this.prisma.$executeRaw`
        INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature", "receivedAt")
        SELECT r.device_id, r.fingerprint, r.at, r.temperature, r.at
          FROM unnest(${this.deviceIds}::text[], ${this.fingerprints}::text[], ${this.times}::timestamptz[],
                      ${this.temperatures}::float8[]) AS r(device_id, fingerprint, at, temperature)`;
      this.deviceIds = [];
      this.fingerprints = [];
      this.times = [];
      this.temperatures = [];
    }
    return this.written;
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set. `npm start` seeds its embedded database itself.');
    process.exit(2);
  }
  const [{ migrateDeploy }, { createPrismaClient }] = await Promise.all([import('@/lib/db/migrate'), import('@/lib/db/client')]);
  const started = performance.now();
  await migrateDeploy(url);
  const prisma = createPrismaClient(url);
  try {
    const result = await seedDemo(prisma, { log: (line) => console.log(`  ${line}`) });
    const ms = Math.round(performance.now() - started);
    console.log(result.seeded ? `Seeded (${ms} ms).` : 'Already seeded: nothing to do.');
    if (result.users) {
      console.log(`Demo logins (password: ${DEMO_PASSWORD}):`);
      for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(8)} ${u.email}`);
    }
  } finally {
    await prisma.$disconnect();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

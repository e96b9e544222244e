import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import { type CertificateStatus, Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { colonHex } from '@/lib/pki/format';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// The fleet read model (migration fleet_read_model) against what the raw tables say, in a database of
// this file's own: the device row's "current…" columns and the per-day expiry rollup after every kind of
// write to certificates, and the lists, Overview counts and forecast read from them equal to the plain
// queries they replaced (a LATERAL join per device, COUNT(*) over the certificates).
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { findDevices } = await import('./devices');
const { findCertificates } = await import('./certificates');
const { findAuditEvents } = await import('./audit');
const { getFleetOverview } = await import('./overview');
const { countExpiryBands, getExpiryForecast, liveForExpirySql, expiresOnInBandSql, readExpiryThresholds } = await import('./expiry');
const { EXACT_COUNT_CAP } = await import('./counting');
const { parseDeviceListSearch, parseCertificateListSearch, parseAuditListSearch } = await import('@/lib/validation/inventory');
const { expiryBands } = await import('@/lib/expiry/bands');

const DAY = 86_400_000;
/** A Wednesday 15:20 UTC: neither days nor weeks aligned with `now`. */
const now = new Date('2031-04-16T15:20:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const admin: SessionUser = { id: 'u-a', email: 'admin@read-model.test', name: 'A', role: 'ADMIN' };

let testDb: TestDatabase;
let prisma: PrismaClient;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const STATUSES: CertificateStatus[] = ['ACTIVE', 'PENDING_REVOCATION', 'REVOKED', 'PENDING_REACTIVATION'];

function certificateData(deviceId: string | null, i: number, overrides: Partial<Prisma.CertificateUncheckedCreateInput> = {}): Prisma.CertificateUncheckedCreateInput {
  return {
    cloudflareId: hex(16),
    deviceId,
    serialNumber: `1${hex(16).slice(1)}`.toUpperCase(),
    ski: hex(20),
    fingerprintSha256: hex(32),
    commonName: `rm-${i}`,
    keyType: 'EC',
    keySize: 256,
    // Same issue instant for some, so the id breaks the tie as the rule says.
    issuedOn: at(-((i % 5) * DAY)),
    // Spread over -20..+400 days at odd hours, so band and week edges cut through days.
    expiresOn: at(((i * 37) % 420) * DAY - 20 * DAY + ((i * 7) % 24) * 3_600_000),
    validityDays: 365,
    status: STATUSES[i % 7 === 0 ? 2 : i % 11 === 0 ? 3 : i % 13 === 0 ? 1 : 0],
    source: 'ENROLLED',
    pem: '',
    csr: '',
    ...overrides,
  };
}

const deviceIds: string[] = [];
let canaryId = '';

beforeAll(async () => {
  testDb = await createTestDatabase();
  prisma = holder.prisma = testDb.prisma;
  for (let i = 0; i < 40; i++) {
    const device = await prisma.device.create({
      data: {
        name: `rm-sensor-${String(i).padStart(3, '0')}`,
        group: i % 3 === 0 ? 'rm-a' : 'rm-b',
        commonName: `rm-${i}.sensors.test`,
        // Ties on lastSeenAt (the id decides) and some never seen.
        lastSeenAt: i % 4 === 0 ? null : at(-(i % 6) * 60_000),
      },
      select: { id: true },
    });
    deviceIds.push(device.id);
  }
  canaryId = (await prisma.device.create({ data: { name: 'rm-canary', group: 'rm-a', commonName: 'canary', isCanary: true }, select: { id: true } })).id;
  // Devices 0-4 have no certificate; the rest one to four, of every status.
  let n = 0;
  for (const [index, id] of deviceIds.entries()) {
    if (index < 5) continue;
    for (let k = 0; k < 1 + (index % 4); k++) await prisma.certificate.create({ data: certificateData(id, n++) });
  }
  await prisma.certificate.create({ data: certificateData(canaryId, n++, { expiresOn: at(3 * DAY) }) });
  await prisma.certificate.create({ data: certificateData(null, n++, { expiresOn: at(10 * DAY) }) });
});

afterAll(async () => {
  await testDb?.stop();
});

/** What the device's current certificate is by the rule, computed from the certificates. */
async function plainCurrent() {
  return prisma.$queryRaw<{ id: string; cid: string | null; status: CertificateStatus | null; expiresOn: Date | null; serial: string | null }[]>`
    SELECT d.id, cur.id AS cid, cur.status, cur."expiresOn", cur."serialNumber" AS serial
      FROM "Device" AS d
      LEFT JOIN LATERAL (
        SELECT c.id, c.status, c."serialNumber", c."expiresOn" FROM "Certificate" AS c WHERE c."deviceId" = d.id
         ORDER BY (c.status IN ('ACTIVE', 'PENDING_REACTIVATION')) DESC, c."issuedOn" DESC, c.id DESC LIMIT 1
      ) AS cur ON TRUE
     ORDER BY d.id`;
}

async function readModel() {
  return prisma.$queryRaw<{ id: string; cid: string | null; status: CertificateStatus | null; expiresOn: Date | null; serial: string | null }[]>`
    SELECT id, "currentCertificateId" AS cid, "currentCertificateStatus" AS status, "currentExpiresOn" AS "expiresOn", "currentSerialNumber" AS serial
      FROM "Device" ORDER BY id`;
}

async function plainDays() {
  return prisma.$queryRaw<{ day: string; live: number }[]>`
    SELECT to_char("expiresOn"::date, 'YYYY-MM-DD') AS day, count(*)::int AS live FROM "Certificate"
     WHERE status IN ('ACTIVE', 'PENDING_REACTIVATION') GROUP BY 1 ORDER BY 1`;
}

async function rollupDays() {
  return prisma.$queryRaw<{ day: string; live: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, live FROM "CertificateExpiryDay" WHERE live <> 0 ORDER BY 1`;
}

/** The Devices table as the plain query (LATERAL join per device, OFFSET, COUNT(*)) lists it. */
async function plainDeviceIds(sort: string, dir: 'asc' | 'desc', where: Prisma.Sql, skip: number, take: number) {
  const column: Record<string, Prisma.Sql> = {
    name: Prisma.sql`d.name`,
    group: Prisma.sql`d."group"`,
    lastSeenAt: Prisma.sql`d."lastSeenAt"`,
    expiresOn: Prisma.sql`cur."expiresOn"`,
    certificateStatus: Prisma.sql`cur.status`,
  };
  const d = Prisma.raw(dir === 'desc' ? 'DESC' : 'ASC');
  const from = Prisma.sql`
    FROM "Device" AS d
    LEFT JOIN LATERAL (
      SELECT c.id, c.status, c."serialNumber", c."expiresOn" FROM "Certificate" AS c WHERE c."deviceId" = d.id
       ORDER BY (c.status IN ('ACTIVE', 'PENDING_REACTIVATION')) DESC, c."issuedOn" DESC, c.id DESC LIMIT 1
    ) AS cur ON TRUE
    WHERE NOT d."isCanary" AND ${where}`;
  const rows = await prisma.$queryRaw<{ id: string }[]>`SELECT d.id ${from} ORDER BY ${column[sort]!} ${d} NULLS LAST, d.id ${d} LIMIT ${take} OFFSET ${skip}`;
  const [{ total }] = await prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${from}`;
  return { ids: rows.map((r) => r.id), total };
}

const SORTS = ['name', 'group', 'lastSeenAt', 'expiresOn', 'certificateStatus'] as const;

/** Every sort both ways, over pages of 10 (a page past the end included), equal to the plain query. */
async function expectListsMatch(): Promise<void> {
  for (const sort of SORTS) {
    for (const dir of ['asc', 'desc'] as const) {
      for (const page of [1, 2, 4, 5]) {
        const search = parseDeviceListSearch({ sort, dir, page: String(page), perPage: '10' });
        const got = await findDevices(admin, search, now);
        const want = await plainDeviceIds(sort, dir, Prisma.sql`TRUE`, (page - 1) * 10, 10);
        expect({ sort, dir, page, ids: got.rows.map((r) => r.id), total: got.total }).toEqual({ sort, dir, page, ids: want.ids, total: want.total });
        expect(got.totalIsEstimate).toBe(false);
        expect(got.beyondEnd).toBe(want.ids.length === 0);
      }
    }
  }
  // Filters on the current certificate: status, none, and each expiry band.
  for (const status of [...STATUSES, 'NONE'] as const) {
    const got = await findDevices(admin, parseDeviceListSearch({ status, perPage: '100' }), now);
    const want = await plainDeviceIds('name', 'asc', status === 'NONE' ? Prisma.sql`cur.id IS NULL` : Prisma.sql`cur.status = ${status}::"CertificateStatus"`, 0, 100);
    expect({ status, ids: got.rows.map((r) => r.id) }).toEqual({ status, ids: want.ids });
  }
  for (const band of expiryBands(await readExpiryThresholds(prisma))) {
    const got = await findDevices(admin, parseDeviceListSearch({ band: band.key, perPage: '100' }), now);
    const want = await plainDeviceIds(
      'name',
      'asc',
      Prisma.sql`cur.status IN ('ACTIVE', 'PENDING_REACTIVATION') AND ${expiresOnInBandSql(Prisma.sql`cur."expiresOn"`, band, now)}`,
      0,
      100,
    );
    expect({ band: band.key, ids: got.rows.map((r) => r.id) }).toEqual({ band: band.key, ids: want.ids });
  }
}

/** The Overview's cards and forecast equal the COUNT(*) over the certificates they replaced. */
async function expectOverviewMatches(): Promise<void> {
  const bands = expiryBands(await readExpiryThresholds(prisma));
  const [plain] = await prisma.$queryRaw<Record<string, number>[]>`
    SELECT ${Prisma.join(
      bands.map((band, i) => Prisma.sql`count(*) FILTER (WHERE ${expiresOnInBandSql(Prisma.sql`c."expiresOn"`, band, now)})::int AS ${Prisma.raw(`"b${i}"`)}`),
      ', ',
    )}
      FROM "Certificate" AS c LEFT JOIN "Device" AS d ON d.id = c."deviceId" WHERE ${liveForExpirySql}`;
  const got = await countExpiryBands(admin, now);
  expect(got.bands.map((b) => [b.key, b.certificates])).toEqual(bands.map((b, i) => [b.key, plain![`b${i}`]]));

  const start = Prisma.sql`${now.toISOString()}::timestamp`;
  const plainForecast = await prisma.$queryRaw<{ week: string; count: number }[]>`
    WITH expiring AS (
      SELECT date_trunc('week', c."expiresOn") AS week, count(*)::int AS n
        FROM "Certificate" AS c LEFT JOIN "Device" AS d ON d.id = c."deviceId"
       WHERE ${liveForExpirySql} AND c."expiresOn" >= ${start} AND c."expiresOn" < ${start} + interval '12 months'
       GROUP BY 1
    )
    SELECT to_char(w.week, 'YYYY-MM-DD') AS week, coalesce(e.n, 0)::int AS count
      FROM generate_series(date_trunc('week', ${start}), ${start} + interval '12 months', interval '1 week') AS w(week)
      LEFT JOIN expiring AS e ON e.week = w.week ORDER BY w.week`;
  expect(await getExpiryForecast(admin, now)).toEqual(plainForecast);
}

async function expectAllTrue(): Promise<void> {
  expect(await readModel()).toEqual(await plainCurrent());
  expect(await rollupDays()).toEqual(await plainDays());
  await expectListsMatch();
  await expectOverviewMatches();
}

describe('the fleet read model', () => {
  it('is true after the initial inserts (one by one, every status)', async () => {
    expect((await readModel()).filter((r) => r.cid).length).toBeGreaterThan(30);
    await expectAllTrue();
  });

  it('stays true after a revocation, an undo and an expiry change', async () => {
    const cert = await prisma.certificate.findFirstOrThrow({ where: { deviceId: deviceIds[9], status: 'ACTIVE' }, orderBy: { issuedOn: 'desc' } });
    await prisma.certificate.update({ where: { id: cert.id }, data: { status: 'REVOKED', revokedAt: now } });
    await expectAllTrue();
    await prisma.certificate.update({ where: { id: cert.id }, data: { status: 'PENDING_REACTIVATION' } });
    await prisma.certificate.update({ where: { id: cert.id }, data: { expiresOn: at(2 * DAY + 3_600_000) } });
    await expectAllTrue();
  });

  it('stays true after a renewal in one transaction (new certificate, old one superseded) and a bulk insert', async () => {
    await prisma.$transaction(async (tx) => {
      const fresh = await tx.certificate.create({ data: certificateData(deviceIds[12]!, 900, { issuedOn: now, expiresOn: at(365 * DAY) }) });
      await tx.certificate.updateMany({ where: { deviceId: deviceIds[12], id: { not: fresh.id } }, data: { supersededAt: now, status: 'REVOKED' } });
    });
    await prisma.certificate.createMany({ data: [0, 1, 2].map((k) => certificateData(deviceIds[k]!, 950 + k, { issuedOn: now })) });
    await expectAllTrue();
  });

  it('stays true after a certificate moves to another device, is deleted, or only an unrelated field changes', async () => {
    const moving = await prisma.certificate.findFirstOrThrow({ where: { deviceId: deviceIds[20] } });
    await prisma.certificate.update({ where: { id: moving.id }, data: { deviceId: deviceIds[3] } });
    await expectAllTrue();
    await prisma.certificate.deleteMany({ where: { deviceId: deviceIds[21] } });
    await prisma.certificate.delete({ where: { id: moving.id } });
    const before = await readModel();
    await prisma.certificate.updateMany({ where: { deviceId: deviceIds[22] }, data: { pem: 'x', missingAtCloudflareAt: now } });
    expect(await readModel()).toEqual(before);
    await expectAllTrue();
  });

  it('stays true when two transactions change certificates of one device at once', async () => {
    const device = deviceIds[30]!;
    await Promise.all([
      prisma.$transaction(async (tx) => {
        await tx.certificate.create({ data: certificateData(device, 980, { issuedOn: at(DAY), expiresOn: at(40 * DAY) }) });
      }),
      prisma.$transaction(async (tx) => {
        await tx.certificate.updateMany({ where: { deviceId: device, status: 'ACTIVE' }, data: { status: 'REVOKED' } });
      }),
    ]);
    await expectAllTrue();
  });

  it('finds a device by serial, SKI or fingerprint in any format, and by a serial fragment', async () => {
    const cert = await prisma.certificate.findFirstOrThrow({ where: { deviceId: deviceIds[17] } });
    const formats = [
      cert.serialNumber,
      cert.serialNumber.toLowerCase(),
      colonHex(cert.serialNumber),
      cert.ski.toUpperCase(),
      colonHex(cert.ski).toLowerCase(),
      cert.fingerprintSha256,
      colonHex(cert.fingerprintSha256.toUpperCase()),
      colonHex(cert.fingerprintSha256).replace(/:/g, ' '),
      cert.serialNumber.slice(5, 14).toLowerCase(),
    ];
    for (const q of formats) {
      const page = await findDevices(admin, parseDeviceListSearch({ q }), now);
      expect({ q, ids: page.rows.map((r) => r.id) }).toEqual({ q, ids: [deviceIds[17]] });
      const certificates = await findCertificates(admin, parseCertificateListSearch({ q }), now);
      expect({ q, ids: certificates.rows.map((r) => r.id) }).toEqual({ q, ids: [cert.id] });
    }
    // Names still match as fragments, case-insensitively; a group filter narrows them.
    const named = await findDevices(admin, parseDeviceListSearch({ q: 'RM-SENSOR-01', perPage: '100' }), now);
    expect(named.rows.map((r) => r.id)).toEqual(deviceIds.slice(10, 20));
    const grouped = await findDevices(admin, parseDeviceListSearch({ q: 'rm-sensor', group: 'rm-a', perPage: '100' }), now);
    expect(grouped.rows.map((r) => r.id)).toEqual(deviceIds.filter((_, i) => i % 3 === 0));
  });

  it('says when a page lies past the end, and estimates a total above the exact-count cap', async () => {
    const past = await findDevices(admin, parseDeviceListSearch({ page: '99' }), now);
    expect(past).toMatchObject({ rows: [], total: 40, totalIsEstimate: false, beyondEnd: true });
    await prisma.$executeRaw`
      INSERT INTO "Device" (id, name, "group", "commonName", "updatedAt")
      SELECT 'bulk-' || g, 'rm-bulk-' || lpad(g::text, 5, '0'), 'rm-bulk', 'bulk', now() FROM generate_series(1, ${EXACT_COUNT_CAP + 100}::int) AS g`;
    await prisma.$executeRawUnsafe('ANALYZE "Device"');
    const big = await findDevices(admin, parseDeviceListSearch({ group: 'rm-bulk', page: '3', perPage: '50' }), now);
    expect(big.totalIsEstimate).toBe(true);
    expect(big.total).toBeGreaterThan(EXACT_COUNT_CAP);
    expect(big.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => `bulk-${101 + i}`));
    await prisma.device.deleteMany({ where: { group: 'rm-bulk' } });
  });
});

describe('the Overview device counts', () => {
  it('equal a plain count per group and per status (canaries left out), from one grouped pass', async () => {
    await prisma.device.update({ where: { id: deviceIds[5]! }, data: { status: 'INACTIVE' } });
    await prisma.device.update({ where: { id: deviceIds[6]! }, data: { status: 'DECOMMISSIONED', group: 'rm-c' } });
    const [groups, statuses] = await Promise.all([
      prisma.$queryRaw<{ group: string; count: number }[]>`
        SELECT "group", count(*)::int AS count FROM "Device" WHERE NOT "isCanary" GROUP BY 1 ORDER BY 2 DESC, 1`,
      prisma.$queryRaw<{ status: string; count: number }[]>`SELECT status::text, count(*)::int AS count FROM "Device" WHERE NOT "isCanary" GROUP BY 1`,
    ]);
    const overview = await getFleetOverview(admin);
    expect(overview.devices.byGroup).toEqual(groups);
    expect(overview.devices.byStatus).toEqual({ ACTIVE: 0, INACTIVE: 0, DECOMMISSIONED: 0, ...Object.fromEntries(statuses.map((s) => [s.status, s.count])) });
    expect(overview.devices.total).toBe(statuses.reduce((n, s) => n + s.count, 0));
  });
});

describe('the audit log', () => {
  it('filters by a list of actions and by actor exactly as the plain query does', async () => {
    await prisma.$executeRaw`
      INSERT INTO "AuditEvent" (at, "actorEmail", action, "targetType", "targetId")
      SELECT ${now.toISOString()}::timestamp - (g % 50) * interval '1 hour', 'user-' || (g % 7) || '@rm.test',
             'rm.' || (ARRAY['a', 'b', 'c', 'd'])[1 + g % 4], 'device', 'd' || g
        FROM generate_series(1, 400) AS g`;
    const plain = async (where: Prisma.Sql, skip: number, take: number) =>
      (await prisma.$queryRaw<{ id: bigint }[]>`SELECT id FROM "AuditEvent" WHERE ${where} ORDER BY at DESC, id DESC LIMIT ${take} OFFSET ${skip}`).map((r) => r.id.toString());
    for (const page of [1, 3, 7]) {
      const search = { ...parseAuditListSearch({ page: String(page), perPage: '20' }), actions: ['rm.a', 'rm.c'] };
      const got = await findAuditEvents(admin, search);
      expect(got.rows.map((r) => r.id)).toEqual(await plain(Prisma.sql`action IN ('rm.a', 'rm.c')`, (page - 1) * 20, 20));
      expect(got.total).toBe(200);
      const byActor = await findAuditEvents(admin, parseAuditListSearch({ actor: 'USER-3@', page: String(page), perPage: '20' }));
      expect(byActor.rows.map((r) => r.id)).toEqual(await plain(Prisma.sql`"actorEmail" ILIKE '%user-3@%'`, (page - 1) * 20, 20));
    }
  });
});

describe('the search box', () => {
  it('takes a complete serial as an exact lookup first, and as a fragment only when no certificate has it', async () => {
    // A's whole serial is a piece of B's: typed whole (any format) it finds A alone; a piece of it finds both.
    const [a, b] = [deviceIds[33]!, deviceIds[34]!];
    await prisma.certificate.create({ data: certificateData(a, 1100, { serialNumber: 'A1B2C3D4E5', issuedOn: at(2 * DAY) }) });
    await prisma.certificate.create({ data: certificateData(b, 1101, { serialNumber: '77A1B2C3D4E5F6', issuedOn: at(2 * DAY) }) });
    for (const q of ['A1B2C3D4E5', 'a1:b2:c3:d4:e5', 'serial=A1B2C3D4E5', '00 a1 b2 c3 d4 e5']) {
      const devices = await findDevices(admin, parseDeviceListSearch({ q }), now);
      expect({ q, ids: devices.rows.map((r) => r.id), total: devices.total }).toEqual({ q, ids: [a], total: 1 });
      const certificates = await findCertificates(admin, parseCertificateListSearch({ q }), now);
      expect({ q, serials: certificates.rows.map((r) => r.serialNumber), total: certificates.total }).toEqual({ q, serials: ['A1B2C3D4E5'], total: 1 });
    }
    const fragment = await findDevices(admin, parseDeviceListSearch({ q: 'b2:c3:d4:e5', sort: 'name' }), now);
    expect(fragment.rows.map((r) => r.id)).toEqual([a, b]);
    expect(fragment.total).toBe(2);
    const certificates = await findCertificates(admin, parseCertificateListSearch({ q: 'b2c3d4e5', sort: 'serialNumber' }), now);
    expect(certificates.rows.map((r) => r.serialNumber)).toEqual(['77A1B2C3D4E5F6', 'A1B2C3D4E5']);
    // A filter leaves the exact match out (A is in rm-a, B in rm-b): then the fragment search answers.
    const filtered = await findDevices(admin, parseDeviceListSearch({ q: 'A1B2C3D4E5', group: 'rm-b' }), now);
    expect(filtered.rows.map((r) => r.id)).toEqual([b]);
    // 20 digits of a fingerprint: no serial is that, so after the exact lookup the fragment search finds it.
    const piece = (await prisma.certificate.findFirstOrThrow({ where: { serialNumber: '77A1B2C3D4E5F6' } })).fingerprintSha256.slice(8, 28);
    expect((await findDevices(admin, parseDeviceListSearch({ q: colonHex(piece) }), now)).rows.map((r) => r.id)).toEqual([b]);
    // A page past the end of an exact answer says so with the exact total.
    expect(await findDevices(admin, parseDeviceListSearch({ q: 'A1B2C3D4E5', page: '3' }), now)).toMatchObject({ rows: [], total: 1, beyondEnd: true });
  });

  it('matches a name by its distinctive word through the index, and still the whole text', async () => {
    const { distinctiveWord } = await import('./counting');
    expect(distinctiveWord('sensor-01232')).toBe('01232');
    expect(distinctiveWord('cold-storage')).toBe('storage');
    expect(distinctiveWord('sensor')).toBeNull();
    expect(distinctiveWord('rm-sensor-01')).toBe('sensor');
    const other = await prisma.device.create({ data: { name: 'rm-other-013', group: 'rm-a', commonName: 'rm-other.sensors.test' }, select: { id: true } });
    try {
      for (const q of ['sensor-013', 'SENSOR-013', 'rm-sensor-013']) {
        const page = await findDevices(admin, parseDeviceListSearch({ q }), now);
        expect({ q, ids: page.rows.map((r) => r.id) }).toEqual({ q, ids: [deviceIds[13]] });
      }
      const both = await findDevices(admin, parseDeviceListSearch({ q: '-013', sort: 'name' }), now);
      expect(both.rows.map((r) => r.id)).toEqual([other.id, deviceIds[13]]);
      const certificates = await findCertificates(admin, parseCertificateListSearch({ q: 'sensor-013', perPage: '100' }), now);
      const want = await prisma.certificate.findMany({ where: { device: { name: { contains: 'sensor-013' } } }, select: { id: true } });
      expect(certificates.rows.map((r) => r.id).sort()).toEqual(want.map((c) => c.id).sort());
    } finally {
      await prisma.device.delete({ where: { id: other.id } });
    }
  });
});

describe('the device counts kept by triggers (DeviceCount)', () => {
  async function plainCounts() {
    return prisma.$queryRaw<{ group: string; status: string; devices: number }[]>`
      SELECT "group", status::text, count(*)::int AS devices FROM "Device" WHERE NOT "isCanary" GROUP BY 1, 2 ORDER BY 1, 2`;
  }
  async function keptCounts() {
    return prisma.$queryRaw<{ group: string; status: string; devices: number }[]>`
      SELECT "group", status::text, devices FROM "DeviceCount" WHERE devices <> 0 ORDER BY 1, 2`;
  }
  async function expectCountsTrue() {
    const plain = await plainCounts();
    expect(await keptCounts()).toEqual(plain);
    const overview = await getFleetOverview(admin);
    expect(overview.devices.total).toBe(plain.reduce((n, r) => n + r.devices, 0));
  }

  it('equal a plain count after every kind of write to devices', async () => {
    await expectCountsTrue();
    // One by one, in bulk (createMany, INSERT … SELECT), a canary.
    const one = await prisma.device.create({ data: { name: 'dc-one', group: 'dc-a', commonName: 'dc-one' }, select: { id: true } });
    await prisma.device.createMany({ data: [1, 2, 3].map((i) => ({ name: `dc-many-${i}`, group: i === 3 ? 'dc-b' : 'dc-a', commonName: 'dc', status: i === 2 ? 'INACTIVE' : 'ACTIVE' })) });
    await prisma.$executeRaw`
      INSERT INTO "Device" (id, name, "group", "commonName", status, "updatedAt")
      SELECT 'dc-sql-' || g, 'dc-sql-' || g, 'dc-' || (g % 3), 'dc', (CASE WHEN g % 4 = 0 THEN 'DECOMMISSIONED' ELSE 'ACTIVE' END)::"DeviceStatus", now()
        FROM generate_series(1, 30) AS g`;
    const canary = await prisma.device.create({ data: { name: 'dc-canary', group: 'dc-a', commonName: 'dc-canary', isCanary: true }, select: { id: true } });
    await expectCountsTrue();
    // Status, group and canary flag changed, one row and many; a change that leaves them alone.
    await prisma.device.update({ where: { id: one.id }, data: { status: 'DECOMMISSIONED', group: 'dc-c' } });
    await prisma.device.updateMany({ where: { group: 'dc-1' }, data: { status: 'INACTIVE' } });
    await prisma.device.update({ where: { id: canary.id }, data: { isCanary: false } });
    await prisma.device.update({ where: { id: 'dc-sql-5' }, data: { isCanary: true } });
    await prisma.device.updateMany({ where: { group: 'dc-a' }, data: { lastSeenAt: now, reportIntervalSec: 30 } });
    await expectCountsTrue();
    // Two transactions moving devices of one group at once.
    await Promise.all([
      prisma.$transaction((tx) => tx.device.updateMany({ where: { group: 'dc-2' }, data: { group: 'dc-d' } })),
      prisma.$transaction((tx) => tx.device.updateMany({ where: { group: 'dc-0' }, data: { group: 'dc-d', status: 'INACTIVE' } })),
    ]);
    await expectCountsTrue();
    // Deleted one by one and in bulk (certificates first: they reference devices).
    await prisma.device.delete({ where: { id: one.id } });
    await prisma.device.deleteMany({ where: { name: { startsWith: 'dc-' } } });
    await expectCountsTrue();
    expect((await keptCounts()).filter((r) => r.group.startsWith('dc-'))).toEqual([]);
  });
});

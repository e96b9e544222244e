import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/auth/errors';
import type { CertificateStatus, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { CERTIFICATE_SORTS } from '@/lib/validation/inventory';
import { EXACT_COUNT_CAP } from './counting';
import { colonHex } from '@/lib/pki/format';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// Search, filters, expiry bands and the forecast against rows inserted with known identifiers and
// dates, in a database of this file's own (the counts are exact).
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { findCertificates, listDeviceGroups } = await import('./certificates');
const { findDevices, getDevice, getDeviceSparkline } = await import('./devices');
const { countExpiryBands, getExpiryForecast, getExpirySettings, updateExpiryThresholds } = await import('./expiry');
const { findAuditEvents, listAuditActions, findDeviceAuditTrail } = await import('./audit');
const { parseAuditListSearch, parseCertificateListSearch, parseDeviceListSearch } = await import('@/lib/validation/inventory');

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A Wednesday noon (UTC), so weeks (date_trunc('week') = Monday) are not aligned with `now`. */
const now = new Date('2031-04-16T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

const manager: SessionUser = { id: 'u-m', email: 'manager@inventory.test', name: 'M', role: 'MANAGER' };
const support: SessionUser = { id: 'u-s', email: 'support@inventory.test', name: 'S', role: 'SUPPORT' };
const admin: SessionUser = { id: 'u-a', email: 'admin@inventory.test', name: 'A', role: 'ADMIN' };

let testDb: TestDatabase;
let prisma: PrismaClient;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface Inserted {
  id: string;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  expiresOn: Date;
}

async function insertCertificate(opts: { deviceId: string | null; expiresOn: Date; status?: CertificateStatus; serial?: string; issuedOn?: Date }): Promise<Inserted> {
  return prisma.certificate.create({
    data: {
      cloudflareId: hex(16),
      deviceId: opts.deviceId,
      serialNumber: opts.serial ?? `1${hex(16).slice(1)}`.toUpperCase(), // as stored: even length, no leading zero
      ski: hex(20),
      fingerprintSha256: hex(32),
      commonName: 'inventory test',
      keyType: 'EC',
      keySize: 256,
      issuedOn: opts.issuedOn ?? at(-30 * DAY),
      expiresOn: opts.expiresOn,
      validityDays: 365,
      status: opts.status ?? 'ACTIVE',
      source: 'ENROLLED',
      pem: '',
      csr: '',
    },
    select: { id: true, serialNumber: true, ski: true, fingerprintSha256: true, expiresOn: true },
  });
}

let devices: Record<'alpha' | 'beta' | 'gamma' | 'delta' | 'canary', { id: string }>;
let certs: Record<string, Inserted>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  prisma = holder.prisma = testDb.prisma;
  const device = (name: string, group: string, lastSeenAt: Date | null, isCanary = false) =>
    prisma.device.create({ data: { name, group, commonName: `${name}.sensors.test`, lastSeenAt, isCanary }, select: { id: true } });
  devices = {
    alpha: await device('alpha-sensor', 'lab', at(-30 * 60_000)),
    beta: await device('beta-sensor', 'warehouse', at(-3 * DAY)),
    gamma: await device('gamma-sensor', 'lab', null),
    delta: await device('delta-sensor', 'greenhouse', at(-5 * HOUR)),
    canary: await device('canary-probe', 'certfleet', at(-HOUR), true),
  };
  certs = {
    expired: await insertCertificate({ deviceId: devices.alpha.id, expiresOn: at(-2 * DAY) }),
    // Superseded on alpha: an older live certificate and a newer one.
    alphaNew: await insertCertificate({ deviceId: devices.alpha.id, expiresOn: at(3 * DAY + HOUR), issuedOn: at(-DAY) }),
    beta: await insertCertificate({ deviceId: devices.beta.id, expiresOn: at(7 * DAY + 23 * HOUR) }), // 7 days left: still "≤ 7"
    gamma: await insertCertificate({ deviceId: devices.gamma.id, expiresOn: at(8 * DAY) }), // 8 days: "≤ 30"
    delta: await insertCertificate({ deviceId: devices.delta.id, expiresOn: at(30 * DAY + HOUR), status: 'PENDING_REACTIVATION' }),
    ninety: await insertCertificate({ deviceId: null, expiresOn: at(31 * DAY) }), // untracked: counts
    later: await insertCertificate({ deviceId: devices.delta.id, expiresOn: at(200 * DAY), issuedOn: at(-10 * DAY), serial: `00${hex(19)}`.toUpperCase().replace(/^00/, '7F') }),
    beyond: await insertCertificate({ deviceId: null, expiresOn: at(400 * DAY) }), // outside the forecast
    revoked: await insertCertificate({ deviceId: devices.beta.id, expiresOn: at(2 * DAY), status: 'REVOKED' }), // no band: revoked
    pending: await insertCertificate({ deviceId: devices.gamma.id, expiresOn: at(2 * DAY), status: 'PENDING_REVOCATION' }), // no band
    canary: await insertCertificate({ deviceId: devices.canary.id, expiresOn: at(2 * DAY) }), // no band: certfleet's own probe
  };
  await prisma.customHostname.createMany({
    data: [
      { cloudflareId: hex(16), hostname: 'a.example.test', sslStatus: 'active', expiresOn: at(5 * DAY) },
      { cloudflareId: hex(16), hostname: 'b.example.test', sslStatus: 'active', expiresOn: at(100 * DAY) },
      { cloudflareId: hex(16), hostname: 'c.example.test', sslStatus: 'pending_validation', expiresOn: null },
    ],
  });
});

afterAll(async () => {
  await testDb?.stop();
});

const certIds = async (raw: Record<string, string>) => (await findCertificates(manager, parseCertificateListSearch({ perPage: '100', ...raw }), now)).rows.map((r) => r.id).sort();
const deviceNames = async (raw: Record<string, string>) => (await findDevices(manager, parseDeviceListSearch({ perPage: '100', ...raw }), now)).rows.map((r) => r.name);
const ids = (...keys: string[]) => keys.map((k) => certs[k]!.id).sort();

describe('search by identifier, in any format', () => {
  it('finds a certificate by its SKI with colons in upper case, or plain in lower case', async () => {
    const ski = certs.beta!.ski;
    expect(await certIds({ q: colonHex(ski, true) })).toEqual(ids('beta'));
    expect(await certIds({ q: ski })).toEqual(ids('beta'));
    expect(await certIds({ q: ` ${colonHex(ski, false).replaceAll(':', ' ')} ` })).toEqual(ids('beta'));
  });

  it('finds by SHA-256 fingerprint as openssl prints it, and by serial with or without colons', async () => {
    expect(await certIds({ q: `SHA256 Fingerprint=${colonHex(certs.gamma!.fingerprintSha256)}` })).toEqual(ids('gamma'));
    expect(await certIds({ q: colonHex(certs.delta!.serialNumber, false) })).toEqual(ids('delta'));
    expect(await certIds({ q: certs.delta!.serialNumber.toLowerCase() })).toEqual(ids('delta'));
    // A 40-digit serial (Cloudflare's) reads like a SKI; both are tried.
    expect(certs.later!.serialNumber).toHaveLength(40);
    expect(await certIds({ q: colonHex(certs.later!.serialNumber) })).toEqual(ids('later'));
  });

  it('finds by a fragment of a fingerprint, and by device name or common name', async () => {
    expect(await certIds({ q: colonHex(certs.ninety!.fingerprintSha256.slice(10, 26)) })).toEqual(ids('ninety'));
    expect(await certIds({ q: 'BETA-sens' })).toEqual(ids('beta', 'revoked'));
    expect(await certIds({ q: 'no-such-thing' })).toEqual([]);
  });

  it('finds the device a certificate belongs to, by the same identifiers', async () => {
    expect(await deviceNames({ q: colonHex(certs.beta!.ski) })).toEqual(['beta-sensor']);
    // An old certificate's identifier still leads to its device.
    expect(await deviceNames({ q: colonHex(certs.expired!.fingerprintSha256, false) })).toEqual(['alpha-sensor']);
    expect(await deviceNames({ q: 'gamma-sensor.sensors' })).toEqual(['gamma-sensor']);
    // The user's % and _ are literal.
    expect(await deviceNames({ q: '%' })).toEqual([]);
  });
});

describe('filters, sorting and paging in SQL', () => {
  it('filters certificates by status, group and last seen', async () => {
    expect(await certIds({ status: 'REVOKED' })).toEqual(ids('revoked'));
    expect(await certIds({ group: 'lab' })).toEqual(ids('expired', 'alphaNew', 'gamma', 'pending'));
    expect(await certIds({ lastSeen: '1h' })).toEqual(ids('expired', 'alphaNew', 'canary'));
    expect(await certIds({ lastSeen: 'never' })).toEqual(ids('gamma', 'pending'));
    expect(await certIds({ lastSeen: 'stale' })).toEqual(ids('beta', 'revoked'));
  });

  it('sorts by expiry and pages with a total', async () => {
    const first = await findCertificates(manager, parseCertificateListSearch({ perPage: '10', sort: 'expiresOn', dir: 'asc' }), now);
    expect(first.total).toBe(11);
    expect(first.rows).toHaveLength(10);
    expect(first.rows[0]).toMatchObject({ id: certs.expired!.id, daysLeft: -2, device: { name: 'alpha-sensor' } });
    const second = await findCertificates(manager, parseCertificateListSearch({ perPage: '10', sort: 'expiresOn', dir: 'asc', page: '2' }), now);
    expect(second.rows.map((r) => r.id)).toEqual([certs.beyond!.id]);
  });

  it('lists devices (not canaries) with their current certificate, filtered and sorted by its expiry', async () => {
    const { rows, total } = await findDevices(manager, parseDeviceListSearch({ sort: 'expiresOn', dir: 'asc' }), now);
    expect(total).toBe(4);
    expect(rows.map((r) => [r.name, r.certificate?.id])).toEqual([
      ['alpha-sensor', certs.alphaNew!.id], // the newest live one, not the expired one
      ['beta-sensor', certs.beta!.id],
      ['gamma-sensor', certs.gamma!.id],
      ['delta-sensor', certs.later!.id],
    ]);
    expect(rows[0]!.liveCertificateIds.sort()).toEqual(ids('expired', 'alphaNew'));
    expect(rows[0]!.certificate?.daysLeft).toBe(3);
    expect(await deviceNames({ status: 'PENDING_REACTIVATION' })).toEqual([]);
    expect(await deviceNames({ group: 'lab' })).toEqual(['alpha-sensor', 'gamma-sensor']);
    expect(await deviceNames({ lastSeen: '24h' })).toEqual(['alpha-sensor', 'delta-sensor']);
    expect(await deviceNames({ lastSeen: 'never' })).toEqual(['gamma-sensor']);
    expect(await listDeviceGroups(manager)).toEqual(['greenhouse', 'lab', 'warehouse']);
  });
});

describe('expiry bands', () => {
  it('counts live certificates and custom hostnames per band; revoked, pending-revocation and canary certificates count nowhere', async () => {
    const { thresholds, bands } = await countExpiryBands(manager, now);
    expect(thresholds).toEqual([7, 30, 90]);
    expect(bands.map((b) => [b.key, b.label, b.certificates, b.hostnames])).toEqual([
      ['expired', 'Expired', 1, 0],
      ['7', '≤ 7 days', 2, 1],
      ['30', '≤ 30 days', 2, 0],
      ['90', '≤ 90 days', 1, 0],
      ['later', '> 90 days', 2, 1],
    ]);
  });

  it('filters both tables by band with exactly what the cards count', async () => {
    const { bands } = await countExpiryBands(manager, now);
    for (const band of bands) {
      const { total } = await findCertificates(manager, parseCertificateListSearch({ band: band.key }), now);
      expect(total, band.key).toBe(band.certificates);
    }
    expect(await certIds({ band: '7' })).toEqual(ids('alphaNew', 'beta'));
    expect(await certIds({ band: '30' })).toEqual(ids('gamma', 'delta'));
    // Devices by their current certificate.
    expect(await deviceNames({ band: '7' })).toEqual(['alpha-sensor', 'beta-sensor']);
    expect(await deviceNames({ band: 'later' })).toEqual(['delta-sensor']);
    // A band the settings no longer have is ignored rather than failing.
    expect((await findCertificates(manager, parseCertificateListSearch({ band: '45' }), now)).total).toBe(11);
  });

  it('forecasts live certificates expiring per week for 12 months, grouped by date_trunc(week)', async () => {
    const weeks = await getExpiryForecast(manager, now);
    // The week of `now` starts on Monday the 14th: alphaNew (Saturday) falls in it, beta (next Thursday) does not.
    expect(weeks[0]).toEqual({ week: '2031-04-14', count: 1 });
    expect(weeks.length).toBeGreaterThanOrEqual(52);
    expect(weeks.at(-1)!.week <= '2032-04-16').toBe(true);
    const mondayOf = (d: Date) => {
      const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
      return day.toISOString().slice(0, 10);
    };
    const expected = new Map<string, number>();
    for (const key of ['alphaNew', 'beta', 'gamma', 'delta', 'ninety', 'later']) {
      const week = mondayOf(certs[key]!.expiresOn);
      expected.set(week, (expected.get(week) ?? 0) + 1);
    }
    expect(Object.fromEntries(weeks.filter((w) => w.count).map((w) => [w.week, w.count]))).toEqual(Object.fromEntries(expected));
    expect(weeks.reduce((sum, w) => sum + w.count, 0)).toBe(6);
  });

  it('uses the thresholds an ADMIN sets (audited); others cannot set them', async () => {
    await expect(updateExpiryThresholds(support, [14, 60])).rejects.toMatchObject({ status: 403 });
    await expect(updateExpiryThresholds(admin, [60, 14])).rejects.toThrow(/longer than the one before/);
    expect(await updateExpiryThresholds(admin, [14, 60])).toEqual([14, 60]);
    try {
      expect(await getExpirySettings(manager)).toEqual({ thresholds: [14, 60], isDefault: false });
      const { bands } = await countExpiryBands(manager, now);
      expect(bands.map((b) => [b.key, b.certificates])).toEqual([
        ['expired', 1],
        ['14', 3],
        ['60', 2],
        ['later', 2],
      ]);
      expect(await certIds({ band: '14' })).toEqual(ids('alphaNew', 'beta', 'gamma'));
      const event = await prisma.auditEvent.findFirst({ where: { action: 'settings.expiry_bands.update' } });
      expect(event).toMatchObject({ actorEmail: admin.email, details: { from: [7, 30, 90], to: [14, 60] } });
    } finally {
      await updateExpiryThresholds(admin, [7, 30, 90]);
    }
  });
});

describe('device page reads', () => {
  it('gives the device with its certificates (live first) and a 24 h sparkline bucketed in SQL', async () => {
    const device = await getDevice(manager, devices.alpha.id, now);
    expect(device?.certificates.map((c) => c.id)).toEqual([certs.alphaNew!.id, certs.expired!.id]);

    // Two readings per 15-minute bucket over the last 24 h, plus older ones that must not show.
    const times: Date[] = [];
    for (let t = now.getTime() - 24 * HOUR + 60_000; t <= now.getTime(); t += 7.5 * 60_000) times.push(new Date(t));
    const old = [new Date(now.getTime() - 30 * HOUR), new Date(now.getTime() - 48 * HOUR)];
    await prisma.reading.createMany({
      data: [...times, ...old].map((time, i) => ({ deviceId: devices.alpha.id, certificateFingerprint: certs.alphaNew!.fingerprintSha256, time, temperature: 20 + (i % 2) })),
    });
    const points = await getDeviceSparkline(manager, devices.alpha.id, now);
    expect(points.length).toBeGreaterThanOrEqual(96);
    expect(points.length).toBeLessThanOrEqual(97);
    expect(points.every((p) => p.t % (15 * 60_000) === 0)).toBe(true);
    expect(points[1]).toMatchObject({ avg: 20.5, min: 20, max: 21 });
  });
});

describe('audit log', () => {
  it('filters by action, actor, target and date range, newest first, paged', async () => {
    const event = (action: string, actorEmail: string, targetLabel: string, atIso: string, targetId?: string) =>
      prisma.auditEvent.create({ data: { action, actorEmail, targetType: 'certificate', targetLabel, targetId, at: new Date(atIso) } });
    await event('certificate.revoke', 'support@inventory.test', 'alpha-sensor (AB12)', '2031-04-10T09:00:00Z', certs.alphaNew!.id);
    await event('certificate.reactivate', 'support@inventory.test', 'alpha-sensor (AB12)', '2031-04-11T09:00:00Z', certs.alphaNew!.id);
    await event('certificate.revoke', 'admin@inventory.test', 'beta-sensor (CD34)', '2031-04-12T23:59:00Z');
    await event('user.create', 'admin@inventory.test', 'new@inventory.test', '2031-04-13T00:00:00Z');

    const find = (raw: Record<string, string>) => findAuditEvents(manager, parseAuditListSearch(raw));
    expect((await find({ action: 'certificate.revoke' })).rows.map((r) => r.targetLabel)).toEqual(['beta-sensor (CD34)', 'alpha-sensor (AB12)']);
    expect((await find({ actor: 'SUPPORT@' })).total).toBe(2);
    expect((await find({ target: 'beta-sensor' })).total).toBe(1);
    expect((await find({ target: certs.alphaNew!.id })).total).toBe(2);
    expect((await find({ from: '2031-04-11', to: '2031-04-12' })).rows.map((r) => r.action)).toEqual(['certificate.revoke', 'certificate.reactivate']);
    const paged = await find({ perPage: '10', dir: 'asc', from: '2031-01-01' });
    expect(paged.rows[0]!.action).toBe('certificate.revoke');
    expect(typeof paged.rows[0]!.id).toBe('string');
    // Exactly the log's distinct actions, in order (a loose index scan, not a pass over the log).
    const logged = [...new Set((await prisma.auditEvent.findMany({ select: { action: true } })).map((e) => e.action))].sort();
    expect(logged).toEqual(expect.arrayContaining(['certificate.reactivate', 'certificate.revoke', 'user.create']));
    expect(await listAuditActions(manager)).toEqual(logged);
    const trail = await findDeviceAuditTrail(manager, devices.alpha.id, [certs.alphaNew!.id, certs.expired!.id]);
    expect(trail.map((r) => r.action)).toEqual(['certificate.reactivate', 'certificate.revoke']);
  });
});

describe('device groups for the filters', () => {
  it('follow the devices: a new group shows, a group left empty goes, canaries never count', async () => {
    const groupsOfDevices = async () =>
      [...new Set((await prisma.device.findMany({ where: { isCanary: false }, select: { group: true } })).map((d) => d.group))].sort();
    const before = await listDeviceGroups(manager);
    expect(before).toEqual(await groupsOfDevices());

    const moved = await prisma.device.create({ data: { name: 'groups-mover', group: 'transient', commonName: 'groups-mover.sensors.test' } });
    const canary = await prisma.device.create({ data: { name: 'groups-canary', group: 'canary-only', commonName: 'groups-canary.sensors.test', isCanary: true } });
    expect(await listDeviceGroups(manager)).toEqual([...before, 'transient'].sort());

    await prisma.device.update({ where: { id: moved.id }, data: { group: before[0]! } });
    expect(await listDeviceGroups(manager)).toEqual(before);
    expect(await listDeviceGroups(manager)).toEqual(await groupsOfDevices());

    await prisma.device.deleteMany({ where: { id: { in: [moved.id, canary.id] } } });
    expect(await listDeviceGroups(manager)).toEqual(before);
  });
});

describe('the Certificates table in one statement', () => {
  const PRISMA_ORDER: Record<string, (dir: 'asc' | 'desc') => Prisma.CertificateOrderByWithRelationInput> = {
    expiresOn: (dir) => ({ expiresOn: dir }),
    issuedOn: (dir) => ({ issuedOn: dir }),
    device: (dir) => ({ device: { name: dir } }),
    commonName: (dir) => ({ commonName: dir }),
    serialNumber: (dir) => ({ serialNumber: dir }),
    status: (dir) => ({ status: dir }),
  };
  const FILTERS: [Record<string, string>, Prisma.CertificateWhereInput][] = [
    [{}, {}],
    [{ status: 'ACTIVE' }, { status: 'ACTIVE' }],
    [{ group: 'lab' }, { device: { group: 'lab' } }],
    [{ lastSeen: 'never' }, { device: { lastSeenAt: null } }],
    [{ lastSeen: '24h' }, { device: { lastSeenAt: { gte: at(-DAY) } } }],
  ];

  it('sorts, filters and pages as findMany does over the same rows (certificates without a device included)', async () => {
    for (const sort of CERTIFICATE_SORTS) {
      for (const dir of ['asc', 'desc'] as const) {
        for (const [raw, where] of FILTERS) {
          const want = await prisma.certificate.findMany({ where, orderBy: [PRISMA_ORDER[sort]!(dir), { id: 'asc' }], select: { id: true } });
          for (const page of [1, 2, 3]) {
            const got = await findCertificates(manager, parseCertificateListSearch({ ...raw, sort, dir, perPage: '10', page: String(page) }), now);
            const label = JSON.stringify({ sort, dir, raw, page });
            expect({ label, ids: got.rows.map((r) => r.id) }).toEqual({ label, ids: want.slice((page - 1) * 10, page * 10).map((c) => c.id) });
            expect({ label, total: got.total, beyondEnd: got.beyondEnd }).toEqual({ label, total: want.length, beyondEnd: page > 1 && want.length <= (page - 1) * 10 });
          }
        }
      }
    }
    const [row] = (await findCertificates(manager, parseCertificateListSearch({ q: certs.ninety!.fingerprintSha256 }), now)).rows;
    expect(row).toMatchObject({ id: certs.ninety!.id, device: null, daysLeft: 31 });
    expect((await findCertificates(manager, parseCertificateListSearch({ q: certs.beta!.ski }), now)).rows[0]?.device).toEqual({
      id: devices.beta.id,
      name: 'beta-sensor',
      group: 'warehouse',
      lastSeenAt: at(-3 * DAY),
    });
  });

  it('answers a whole serial exactly unless a filter leaves its certificate out, then as a fragment', async () => {
    // gamma's serial is a piece of beta's: whole, it finds gamma's alone; in beta's group, the fragment finds beta's.
    const whole = await insertCertificate({ deviceId: devices.gamma.id, expiresOn: at(60 * DAY), serial: 'C0FFEE0123456789AB' });
    const longer = await insertCertificate({ deviceId: devices.beta.id, expiresOn: at(60 * DAY), serial: '99C0FFEE0123456789ABCD' });
    try {
      const find = (raw: Record<string, string>) => findCertificates(manager, parseCertificateListSearch(raw), now);
      expect(await find({ q: 'c0:ff:ee:01:23:45:67:89:ab' })).toMatchObject({ rows: [{ id: whole.id }], total: 1, totalIsEstimate: false, beyondEnd: false });
      expect(await find({ q: 'C0FFEE0123456789AB', group: 'warehouse' })).toMatchObject({ rows: [{ id: longer.id }], total: 1 });
      expect((await find({ q: 'C0FFEE0123456789', sort: 'serialNumber' })).rows.map((r) => r.id)).toEqual([longer.id, whole.id]);
      // A page past the end still has the total of the answer it lies beyond.
      expect(await find({ q: 'C0FFEE0123456789AB', page: '3' })).toMatchObject({ rows: [], total: 1, beyondEnd: true });
      expect(await find({ q: 'C0FFEE0123456789', page: '3' })).toMatchObject({ rows: [], total: 2, beyondEnd: true });
      expect(await find({ q: 'no-such-thing', page: '2' })).toMatchObject({ rows: [], total: 0, beyondEnd: true });
    } finally {
      await prisma.certificate.deleteMany({ where: { id: { in: [whole.id, longer.id] } } });
    }
  });

  it('pages a text most certificates contain with one plain OR, counted exactly, as the index lookups would', async () => {
    const n = EXACT_COUNT_CAP + 100;
    await prisma.$executeRaw`
      INSERT INTO "Certificate" (id, "cloudflareId", "serialNumber", ski, "fingerprintSha256", "commonName", "keyType", "keySize",
                                 "issuedOn", "expiresOn", "validityDays", status, pem, csr, "updatedAt")
      SELECT 'bulk-' || g, 'bulk-' || g, upper(md5('s' || g)), md5('k' || g) || 'abcdefgh', md5('f' || g) || md5('g' || g),
             'bulk-cert-' || lpad(g::text, 5, '0'), 'EC', 256, ${at(-DAY).toISOString()}::timestamp, ${at(DAY).toISOString()}::timestamp + g * interval '1 minute', 365,
             (CASE WHEN g % 3 = 0 THEN 'REVOKED' ELSE 'ACTIVE' END)::"CertificateStatus", '', '', now()
        FROM generate_series(1, ${n}::int) AS g`;
    try {
      for (const raw of [{ q: 'BULK-cert', sort: 'commonName', dir: 'desc', page: '3' }, { q: 'bulk-cert-0', status: 'REVOKED', page: '2' }]) {
        const got = await findCertificates(manager, parseCertificateListSearch({ ...raw, perPage: '50' }), now);
        const where: Prisma.CertificateWhereInput = { commonName: { contains: raw.q, mode: 'insensitive' }, ...(raw.status ? { status: 'REVOKED' } : {}) };
        const want = await prisma.certificate.findMany({
          where,
          orderBy: [raw.sort === 'commonName' ? { commonName: 'desc' } : { expiresOn: 'asc' }, { id: 'asc' }],
          skip: (Number(raw.page) - 1) * 50,
          take: 50,
          select: { id: true },
        });
        expect(got.rows.map((r) => r.id)).toEqual(want.map((c) => c.id));
        expect({ total: got.total, totalIsEstimate: got.totalIsEstimate }).toEqual({ total: await prisma.certificate.count({ where }), totalIsEstimate: false });
      }
    } finally {
      await prisma.certificate.deleteMany({ where: { id: { startsWith: 'bulk-' } } });
    }
  });
});

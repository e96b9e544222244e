import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { DEVICE_READINGS_FIELDS } from './device-fields';
import { daysLeft, findExpiryBand } from '@/lib/expiry/bands';
import { type CertificateStatus, type DeviceStatus, Prisma } from '@/lib/generated/prisma/client';
import type { DeviceListSearch } from '@/lib/validation/inventory';
import { type Bucket, queryDeviceBuckets, type SqlRunner } from '@/lib/readings/buckets';
import { pageWindow } from '@/lib/validation/table-search-params';
import { boundedCount, containsIdsSql } from './counting';
import { exactIdentifierSql, fragmentIdentifierSql, isLikelyFragment, lastSeenSql, parseIdentifierQuery } from './certificates';
import { expiresOnInBandSql, readExpiryThresholds } from './expiry';

/*
 * Reads of devices: the Devices table and one device's page. A device's "current" certificate is its
 * newest live one (active or pending reactivation), else its newest of any status; its status and
 * expiry are the device's in the table. The list sorts and filters on that current certificate, kept on
 * the device row (the "current…" columns) by triggers on "Certificate", so one index serves each order.
 */

export interface DeviceRow {
  id: string;
  name: string;
  group: string;
  status: DeviceStatus;
  lastSeenAt: Date | null;
  certificate: { id: string; status: CertificateStatus; serialNumber: string; expiresOn: Date; daysLeft: number } | null;
  /** Every live certificate of the device: what a bulk revoke of the device revokes. */
  liveCertificateIds: string[];
}

interface DeviceSqlRow {
  id: string;
  name: string;
  group: string;
  status: DeviceStatus;
  lastSeenAt: Date | null;
  certificateId: string | null;
  certificateStatus: CertificateStatus | null;
  serialNumber: string | null;
  expiresOn: Date | null;
  liveCertificateIds: string[];
}

const LIVE = Prisma.sql`('ACTIVE', 'PENDING_REACTIVATION')`;

/**
 * Each sort is served by an index on ("isCanary", column, id) (migration fleet_read_model): ascending
 * scans it forwards, descending backwards (or its DESC NULLS LAST twin for a column that may be empty),
 * so a page reads its own rows and the ones it skips from the index only, never sorting the fleet.
 * Ties break on the id in the same direction; devices without a value come last either way.
 */
const ORDER: Record<DeviceListSearch['sort'], { column: Prisma.Sql; nullable: boolean }> = {
  name: { column: Prisma.sql`d.name`, nullable: false },
  group: { column: Prisma.sql`d."group"`, nullable: false },
  lastSeenAt: { column: Prisma.sql`d."lastSeenAt"`, nullable: true },
  expiresOn: { column: Prisma.sql`d."currentExpiresOn"`, nullable: true },
  certificateStatus: { column: Prisma.sql`d."currentCertificateStatus"`, nullable: true },
};

function orderBySql(sort: DeviceListSearch['sort'], dir: 'asc' | 'desc'): Prisma.Sql {
  const { column, nullable } = ORDER[sort];
  if (dir === 'asc') return Prisma.sql`${column} ASC, d.id ASC`;
  return nullable ? Prisma.sql`${column} DESC NULLS LAST, d.id DESC` : Prisma.sql`${column} DESC, d.id DESC`;
}

export interface DeviceListPage {
  rows: DeviceRow[];
  /** Devices matching the filters: exact up to EXACT_COUNT_CAP, else the planner's estimate (`totalIsEstimate`). */
  total: number;
  totalIsEstimate: boolean;
  /** The page asked for lies past the last device that matches (a hand-edited or stale `?page=`). */
  beyondEnd: boolean;
}

/**
 * How the search box's text is matched: `exact` keeps the devices of the certificates whose serial, SKI or
 * fingerprint equals it (unique btree indexes); `fragment` the devices whose name or common name contains
 * it, or that hold a certificate whose identifier contains or equals it (trigram GIN and btree indexes).
 */
type SearchMode = 'exact' | 'fragment';

function searchSql(q: string, mode: SearchMode): Prisma.Sql {
  const id = parseIdentifierQuery(q);
  if (mode === 'exact') {
    const exact = id ? exactIdentifierSql(id, Prisma.sql`x`) : null;
    return exact ? Prisma.sql`d.id IN (SELECT x."deviceId" FROM "Certificate" AS x WHERE ${exact})` : Prisma.sql`FALSE`;
  }
  const identifier = id ? [exactIdentifierSql(id, Prisma.sql`x`), fragmentIdentifierSql(id, Prisma.sql`x`)].filter((x) => x !== null) : [];
  // A UNION of index lookups (trigram on name and common name, identifiers on certificates) rather than
  // one OR across tables, which no index can serve.
  return Prisma.sql`d.id IN (
      ${containsIdsSql('Device', 'name', q)}
      UNION ${containsIdsSql('Device', 'commonName', q)}${
        identifier.length ? Prisma.sql`
      UNION SELECT x."deviceId" FROM "Certificate" AS x WHERE x."deviceId" IS NOT NULL AND (${Prisma.join(identifier, ' OR ')})` : Prisma.empty
      })`;
}

/** The WHERE of the Devices table (canaries excluded) for its URL state, over `"Device" AS d` alone. */
export async function deviceListConditions(search: DeviceListSearch, now: Date, mode: SearchMode = 'fragment'): Promise<Prisma.Sql> {
  const conditions: Prisma.Sql[] = [Prisma.sql`d."isCanary" = false`];
  if (search.q) conditions.push(searchSql(search.q, mode));
  if (search.status === 'NONE') conditions.push(Prisma.sql`d."currentCertificateId" IS NULL`);
  else if (search.status) conditions.push(Prisma.sql`d."currentCertificateStatus" = ${search.status}::"CertificateStatus"`);
  if (search.band) {
    const band = findExpiryBand(await readExpiryThresholds(), search.band);
    if (band) conditions.push(Prisma.sql`d."currentCertificateStatus" IN ${LIVE} AND ${expiresOnInBandSql(Prisma.sql`d."currentExpiresOn"`, band, now)}`);
  }
  if (search.group) conditions.push(Prisma.sql`d."group" = ${search.group}`);
  if (search.lastSeen) conditions.push(lastSeenSql(search.lastSeen, now));
  return Prisma.join(conditions, ' AND ');
}

function pageSql(where: Prisma.Sql, orderBy: Prisma.Sql, skip: number, take: number): Prisma.Sql {
  return Prisma.sql`
      WITH page AS (
        SELECT d.id FROM "Device" AS d WHERE ${where} ORDER BY ${orderBy} LIMIT ${take} OFFSET ${skip}
      )
      SELECT d.id, d.name, d."group", d.status, d."lastSeenAt",
             d."currentCertificateId" AS "certificateId", d."currentCertificateStatus" AS "certificateStatus",
             d."currentSerialNumber" AS "serialNumber", d."currentExpiresOn" AS "expiresOn",
             ARRAY(SELECT l.id FROM "Certificate" AS l WHERE l."deviceId" = d.id AND l.status IN ${LIVE} ORDER BY l."issuedOn") AS "liveCertificateIds"
        FROM page JOIN "Device" AS d ON d.id = page.id
       ORDER BY ${orderBy}`;
}

/**
 * A search text that may be a complete serial, SKI or fingerprint, looked up exactly (unique btree
 * indexes): the page and its exact total, or null when no device in the list holds such a certificate
 * (then the text is searched as a fragment). An identifier belongs to one certificate (a 40-digit text
 * to at most two), so a page short of `take` is the whole answer and needs no count: one round trip.
 */
async function findDevicesByIdentifier(search: DeviceListSearch, orderBy: Prisma.Sql, now: Date): Promise<{ rows: DeviceSqlRow[]; total: number } | null> {
  const id = search.q ? parseIdentifierQuery(search.q) : null;
  if (!id || !exactIdentifierSql(id, Prisma.sql`x`)) return null;
  const where = await deviceListConditions(search, now, 'exact');
  const { skip, take } = pageWindow(search);
  const rows = await db().$queryRaw<DeviceSqlRow[]>(pageSql(where, orderBy, skip, take));
  if (rows.length > 0 && rows.length < take) return { rows, total: skip + rows.length };
  if (rows.length === 0 && skip === 0) return null;
  const [counted] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Device" AS d WHERE ${where}`;
  const total = counted?.n ?? 0;
  return total > 0 ? { rows, total } : null;
}

/**
 * One page of devices (canaries excluded), filtered, sorted and paged in SQL. The device's current
 * certificate comes from the read model on the device row (kept by triggers on "Certificate"), so the
 * page is found on one table's index; the page's ids are picked first (an index-only walk over the
 * skipped rows) and only those rows are read in full. A search text that is a complete serial, SKI or
 * fingerprint finds the devices holding it (an exact index lookup, counted exactly); only when no device
 * does is it searched as a fragment of names and identifiers (beside the exact lookup when the text is
 * short enough to be more likely a fragment: isLikelyFragment).
 */
export async function findDevices(actor: SessionUser, search: DeviceListSearch, now = new Date()): Promise<DeviceListPage> {
  assertCan(actor, 'device:view');
  const orderBy = orderBySql(search.sort, search.dir);
  const { skip, take } = pageWindow(search);
  const byFragment = async () => {
    const where = await deviceListConditions(search, now);
    return Promise.all([db().$queryRaw<DeviceSqlRow[]>(pageSql(where, orderBy, skip, take)), boundedCount(Prisma.sql`FROM "Device" AS d WHERE ${where}`)]);
  };
  const [byIdentifier, speculated] = await Promise.all([
    findDevicesByIdentifier(search, orderBy, now),
    search.q && isLikelyFragment(search.q) ? byFragment() : null,
  ]);
  const [rows, count] = byIdentifier ? [byIdentifier.rows, { total: byIdentifier.total, totalIsEstimate: false }] : (speculated ?? (await byFragment()));
  return {
    rows: rows.map((row) => ({
      id: row.id,
      name: row.name,
      group: row.group,
      status: row.status,
      lastSeenAt: row.lastSeenAt,
      certificate:
        row.certificateId && row.certificateStatus && row.serialNumber && row.expiresOn
          ? { id: row.certificateId, status: row.certificateStatus, serialNumber: row.serialNumber, expiresOn: row.expiresOn, daysLeft: daysLeft(row.expiresOn, now) }
          : null,
      liveCertificateIds: row.liveCertificateIds,
    })),
    total: count.total,
    totalIsEstimate: count.totalIsEstimate,
    beyondEnd: rows.length === 0 && skip > 0,
  };
}

const deviceCertificateSelect = {
  id: true,
  serialNumber: true,
  ski: true,
  fingerprintSha256: true,
  status: true,
  source: true,
  issuedOn: true,
  expiresOn: true,
  revokedAt: true,
  revokedByEmail: true,
  revocationReason: true,
  revocationNote: true,
  supersededAt: true,
} as const satisfies Prisma.CertificateSelect;

/** One certificate on a device's page: the columns `deviceCertificateSelect` reads, and the days left. */
export type DeviceCertificate = Prisma.CertificateGetPayload<{ select: typeof deviceCertificateSelect }> & { daysLeft: number };

export interface DeviceDetail {
  id: string;
  name: string;
  group: string;
  tags: string[];
  commonName: string;
  status: DeviceStatus;
  reportIntervalSec: number;
  lastSeenAt: Date | null;
  lastSeenFingerprint: string | null;
  minTemperature: number | null;
  maxTemperature: number | null;
  createdAt: Date;
  /** Newest first; live ones before the rest. */
  certificates: DeviceCertificate[];
}

/** One device with all its certificates, or null. */
export async function getDevice(actor: SessionUser, id: string, now = new Date()): Promise<DeviceDetail | null> {
  assertCan(actor, 'device:view');
  const device = await db().device.findUnique({
    where: { id },
    select: {
      ...DEVICE_READINGS_FIELDS,
      tags: true,
      commonName: true,
      lastSeenFingerprint: true,
      createdAt: true,
      certificates: {
        select: deviceCertificateSelect,
        orderBy: [{ issuedOn: 'desc' }, { id: 'desc' }],
      },
    },
  });
  if (!device) return null;
  const live = (c: { status: CertificateStatus }) => c.status === 'ACTIVE' || c.status === 'PENDING_REACTIVATION';
  const certificates = device.certificates
    .map((c) => ({ ...c, daysLeft: daysLeft(c.expiresOn, now) }))
    .sort((a, b) => Number(live(b)) - Number(live(a)));
  return { ...device, certificates };
}

export type SparklinePoint = Pick<Bucket, 't' | 'avg' | 'min' | 'max'>;

/** Bucket width of the device page's sparkline: 96 points for a day. */
const SPARKLINE_BUCKET_SECONDS = 900;

/**
 * The device's readings of the last 24 hours as 15-minute buckets (avg/min/max), bucketed in SQL by
 * lib/readings/buckets (as the readings charts are), so the page gets at most 96 points however often
 * the device posts.
 */
export async function getDeviceSparkline(actor: SessionUser, deviceId: string, now = new Date()): Promise<SparklinePoint[]> {
  assertCan(actor, 'readings:view');
  const run: SqlRunner = (text, values) => db().$queryRawUnsafe(text, ...values);
  const { buckets } = await queryDeviceBuckets(run, {
    deviceIds: [deviceId],
    from: new Date(now.getTime() - 86_400_000),
    to: now,
    widthSeconds: SPARKLINE_BUCKET_SECONDS,
  });
  return (buckets.get(deviceId) ?? []).map((b) => ({ t: b.t, avg: Math.round(b.avg * 100) / 100, min: b.min, max: b.max }));
}

/**
 * The device's newest single reading (the sparkline's last point is a 15-minute average, not this); one probe of
 * the (deviceId, time) index. null when it never reported.
 */
export async function getLatestDeviceReading(actor: SessionUser, deviceId: string): Promise<{ time: string; temperature: number } | null> {
  assertCan(actor, 'readings:view');
  const row = await db().reading.findFirst({ where: { deviceId }, orderBy: { time: 'desc' }, select: { time: true, temperature: true } });
  return row ? { time: row.time.toISOString(), temperature: row.temperature } : null;
}

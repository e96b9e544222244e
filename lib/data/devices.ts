import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { daysLeft, findExpiryBand } from '@/lib/expiry/bands';
import { type CertificateSource, type CertificateStatus, type DeviceStatus, Prisma, type RevocationReason } from '@/lib/generated/prisma/client';
import type { DeviceListSearch, LastSeenFilter } from '@/lib/validation/inventory';
import { type Bucket, queryDeviceBuckets, type SqlRunner } from '@/lib/readings/buckets';
import { pageWindow } from '@/lib/validation/table-search-params';
import { type IdentifierQuery, parseIdentifierQuery } from './certificates';
import { expiresOnInBandSql, readExpiryThresholds, sqlTimestamp } from './expiry';

/*
 * Reads of devices: the Devices table and one device's page. A device's "current" certificate is its
 * newest live one (active or pending reactivation), else its newest of any status; its status and
 * expiry are the device's in the table. The list is one SQL query with a LATERAL join, because it
 * sorts and filters on that current certificate, which Prisma's query API cannot express.
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

/** `LIKE` pattern for a substring, with the user's own % and _ taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function identifierSql(id: IdentifierQuery, alias: Prisma.Sql): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (id.fingerprint) parts.push(Prisma.sql`${alias}."fingerprintSha256" = ${id.fingerprint}`);
  if (id.ski) parts.push(Prisma.sql`${alias}.ski = ${id.ski}`);
  if (id.serial) parts.push(Prisma.sql`${alias}."serialNumber" = ${id.serial}`);
  if (id.fragment) {
    parts.push(
      Prisma.sql`${alias}."serialNumber" LIKE ${containsPattern(id.fragment.toUpperCase())}`,
      Prisma.sql`${alias}.ski LIKE ${containsPattern(id.fragment)}`,
      Prisma.sql`${alias}."fingerprintSha256" LIKE ${containsPattern(id.fragment)}`,
    );
  }
  return parts.length ? Prisma.join(parts, ' OR ') : Prisma.sql`FALSE`;
}

function lastSeenSql(filter: LastSeenFilter, now: Date): Prisma.Sql {
  const ago = (ms: number) => sqlTimestamp(new Date(now.getTime() - ms));
  switch (filter) {
    case '1h':
      return Prisma.sql`d."lastSeenAt" >= ${ago(3_600_000)}`;
    case '24h':
      return Prisma.sql`d."lastSeenAt" >= ${ago(86_400_000)}`;
    case '7d':
      return Prisma.sql`d."lastSeenAt" >= ${ago(7 * 86_400_000)}`;
    case 'stale':
      return Prisma.sql`d."lastSeenAt" < ${ago(86_400_000)}`;
    case 'never':
      return Prisma.sql`d."lastSeenAt" IS NULL`;
  }
}

const ORDER: Record<DeviceListSearch['sort'], Prisma.Sql> = {
  name: Prisma.sql`d.name`,
  group: Prisma.sql`d."group"`,
  lastSeenAt: Prisma.sql`d."lastSeenAt"`,
  expiresOn: Prisma.sql`cur."expiresOn"`,
  certificateStatus: Prisma.sql`cur.status`,
};

/** One page of devices (canaries excluded), filtered, sorted and paged in SQL. */
export async function findDevices(actor: SessionUser, search: DeviceListSearch, now = new Date()): Promise<{ rows: DeviceRow[]; total: number }> {
  assertCan(actor, 'device:view');
  const conditions: Prisma.Sql[] = [Prisma.sql`NOT d."isCanary"`];
  if (search.q) {
    const pattern = containsPattern(search.q);
    const id = parseIdentifierQuery(search.q);
    conditions.push(Prisma.sql`(d.name ILIKE ${pattern} OR d."commonName" ILIKE ${pattern}${
      id ? Prisma.sql` OR EXISTS (SELECT 1 FROM "Certificate" AS x WHERE x."deviceId" = d.id AND (${identifierSql(id, Prisma.sql`x`)}))` : Prisma.empty
    })`);
  }
  if (search.status === 'NONE') conditions.push(Prisma.sql`cur.id IS NULL`);
  else if (search.status) conditions.push(Prisma.sql`cur.status = ${search.status}::"CertificateStatus"`);
  if (search.band) {
    const band = findExpiryBand(await readExpiryThresholds(), search.band);
    if (band) conditions.push(Prisma.sql`cur.status IN ${LIVE} AND ${expiresOnInBandSql(Prisma.sql`cur."expiresOn"`, band, now)}`);
  }
  if (search.group) conditions.push(Prisma.sql`d."group" = ${search.group}`);
  if (search.lastSeen) conditions.push(lastSeenSql(search.lastSeen, now));

  const from = Prisma.sql`
    FROM "Device" AS d
    LEFT JOIN LATERAL (
      SELECT c.id, c.status, c."serialNumber", c."expiresOn"
        FROM "Certificate" AS c
       WHERE c."deviceId" = d.id
       ORDER BY (c.status IN ${LIVE}) DESC, c."issuedOn" DESC, c.id DESC
       LIMIT 1
    ) AS cur ON TRUE
    WHERE ${Prisma.join(conditions, ' AND ')}`;
  const dir = Prisma.raw(search.dir === 'desc' ? 'DESC' : 'ASC');
  const { skip, take } = pageWindow(search);

  const [rows, count] = await Promise.all([
    db().$queryRaw<DeviceSqlRow[]>`
      SELECT d.id, d.name, d."group", d.status, d."lastSeenAt",
             cur.id AS "certificateId", cur.status AS "certificateStatus", cur."serialNumber", cur."expiresOn",
             ARRAY(SELECT l.id FROM "Certificate" AS l WHERE l."deviceId" = d.id AND l.status IN ${LIVE} ORDER BY l."issuedOn") AS "liveCertificateIds"
      ${from}
      ORDER BY ${ORDER[search.sort]} ${dir} NULLS LAST, d.id ASC
      LIMIT ${take} OFFSET ${skip}`,
    db().$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${from}`,
  ]);
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
    total: count[0]?.total ?? 0,
  };
}

export interface DeviceCertificate {
  id: string;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  status: CertificateStatus;
  source: CertificateSource;
  issuedOn: Date;
  expiresOn: Date;
  daysLeft: number;
  revokedAt: Date | null;
  revokedByEmail: string | null;
  revocationReason: RevocationReason | null;
  revocationNote: string | null;
  supersededAt: Date | null;
}

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
      id: true,
      name: true,
      group: true,
      tags: true,
      commonName: true,
      status: true,
      reportIntervalSec: true,
      lastSeenAt: true,
      lastSeenFingerprint: true,
      minTemperature: true,
      maxTemperature: true,
      createdAt: true,
      certificates: {
        select: {
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
        },
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

import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { daysLeft, findExpiryBand } from '@/lib/expiry/bands';
import { Prisma, type PrismaClient, type RevocationReason } from '@/lib/generated/prisma/client';
import { classifyHexId, hexDigits, normalizeFingerprint, normalizeSerial, normalizeSki } from '@/lib/pki/format';
import type { CertificateListSearch } from '@/lib/validation/inventory';
import type { LastSeenFilter } from '@/lib/validation/inventory-constants';
import { pageWindow } from '@/lib/validation/table-search-params';
import { containsIdsSql, containsPattern, EXACT_COUNT_CAP, type ListTotal } from './counting';
import { expiresOnInBandSql, liveForExpirySql, readExpiryThresholds, sqlTimestamp } from './expiry';
import { fleetGroups } from './fleet-groups';

/*
 * Reads of client certificates: the Certificates table (filtered, sorted and paged in SQL) and one
 * certificate's page. Writes (revoke, undo, refresh from Cloudflare) live in ./revocation.ts.
 */

/**
 * What a search box's text means as a certificate identifier. People paste serials, SKIs and
 * fingerprints as openssl, browsers and Cloudflare print them (colons, spaces, any case), so the text
 * is normalised first (lib/pki/format). Every such text may be a complete identifier (`fingerprint`,
 * `ski`, `serial`: looked up exactly first, on the unique btree indexes) and may be part of one
 * (`fragment`: searched, through the trigram indexes, only when the exact lookup finds nothing).
 */
export interface IdentifierQuery {
  fingerprint?: string;
  ski?: string;
  serial?: string;
  /** Lowercase hex digits without separators, to find inside serial, SKI or fingerprint. */
  fragment?: string;
}

export function parseIdentifierQuery(q: string): IdentifierQuery | null {
  const kind = classifyHexId(q);
  if (!kind) return null;
  try {
    const fragment = hexDigits(q);
    // 64 digits can only be a SHA-256 fingerprint; 40 is a SHA-1 SKI or a 20-byte serial (Cloudflare's);
    // anything else may be a whole serial (1 to 20 bytes) or a piece of any of the three.
    if (kind === 'fingerprint') return { fingerprint: normalizeFingerprint(q) };
    if (kind === 'ski') return { ski: normalizeSki(q), serial: normalizeSerial(q), fragment };
    return { serial: normalizeSerial(q), fragment };
  } catch {
    return null;
  }
}

/**
 * True when a search text that may be a whole serial is more likely a piece of an identifier: fewer than
 * 16 hex digits (8 bytes), where CAs put at least 64 random bits in a serial (CA/Browser Forum; Cloudflare's
 * are 20 bytes). Its fragment search then runs beside the exact lookup rather than after it; the exact
 * answer still wins when there is one.
 */
export function isLikelyFragment(q: string): boolean {
  const id = parseIdentifierQuery(q);
  return !!id?.fragment && id.fragment.length < 16;
}

/** The exact part of an identifier query as SQL over `alias` (OR of equalities, one unique index each), or null. */
export function exactIdentifierSql(id: IdentifierQuery, alias: Prisma.Sql): Prisma.Sql | null {
  const parts: Prisma.Sql[] = [];
  if (id.fingerprint) parts.push(Prisma.sql`${alias}."fingerprintSha256" = ${id.fingerprint}`);
  if (id.ski) parts.push(Prisma.sql`${alias}.ski = ${id.ski}`);
  if (id.serial) parts.push(Prisma.sql`${alias}."serialNumber" = ${id.serial}`);
  return parts.length ? Prisma.join(parts, ' OR ') : null;
}

/** The fragment part of an identifier query as SQL over `alias` (trigram GIN indexes), or null. */
export function fragmentIdentifierSql(id: IdentifierQuery, alias: Prisma.Sql): Prisma.Sql | null {
  if (!id.fragment) return null;
  return Prisma.sql`${alias}."serialNumber" LIKE ${containsPattern(id.fragment.toUpperCase())}
    OR ${alias}.ski LIKE ${containsPattern(id.fragment)} OR ${alias}."fingerprintSha256" LIKE ${containsPattern(id.fragment)}`;
}

/** The exact part of an identifier query as Prisma conditions (OR them): equalities on the unique indexes. */
export function exactIdentifierConditions(id: IdentifierQuery): Prisma.CertificateWhereInput[] {
  return [
    ...(id.fingerprint ? [{ fingerprintSha256: id.fingerprint }] : []),
    ...(id.ski ? [{ ski: id.ski }] : []),
    ...(id.serial ? [{ serialNumber: id.serial }] : []),
  ];
}

/** Prisma conditions on a certificate for an identifier query (OR them). */
export function identifierConditions(id: IdentifierQuery): Prisma.CertificateWhereInput[] {
  return [
    ...exactIdentifierConditions(id),
    ...(id.fragment
      ? [
          { serialNumber: { contains: id.fragment.toUpperCase() } },
          { ski: { contains: id.fragment } },
          { fingerprintSha256: { contains: id.fragment } },
        ]
      : []),
  ];
}

/**
 * The "last seen" filter as of `now`, as SQL over `"Device" AS d` (a certificate's device is LEFT JOINed:
 * a certificate without a device never matches, as with a Prisma relation filter).
 */
export function lastSeenSql(filter: LastSeenFilter, now: Date): Prisma.Sql {
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
      return Prisma.sql`d.id IS NOT NULL AND d."lastSeenAt" IS NULL`;
  }
}

const certificateRowSelect = {
  id: true,
  cloudflareId: true,
  serialNumber: true,
  ski: true,
  fingerprintSha256: true,
  commonName: true,
  status: true,
  source: true,
  issuedOn: true,
  expiresOn: true,
  revokedAt: true,
  device: { select: { id: true, name: true, group: true, lastSeenAt: true } },
} as const satisfies Prisma.CertificateSelect;

/** One row of the Certificates table: the columns `certificateRowSelect` reads, and the days left. */
export type CertificateRow = Prisma.CertificateGetPayload<{ select: typeof certificateRowSelect }> & {
  /** Whole days left as of the query (negative once expired); see lib/expiry/bands.ts. */
  daysLeft: number;
};

/**
 * The filters of the Certificates table other than the search text, over `"Certificate" AS c LEFT JOIN
 * "Device" AS d`, and whether any of them reads the device.
 */
async function certificateFilterSql(search: CertificateListSearch, now: Date): Promise<{ conditions: Prisma.Sql[]; readsDevice: boolean }> {
  const conditions: Prisma.Sql[] = [];
  let readsDevice = false;
  if (search.status) conditions.push(Prisma.sql`c.status = ${search.status}::"CertificateStatus"`);
  if (search.band) {
    const band = findExpiryBand(await readExpiryThresholds(), search.band);
    if (band) conditions.push(Prisma.sql`${liveForExpirySql} AND ${expiresOnInBandSql(Prisma.sql`c."expiresOn"`, band, now)}`);
    readsDevice = !!band;
  }
  if (search.group) conditions.push(Prisma.sql`d."group" = ${search.group}`);
  if (search.lastSeen) conditions.push(lastSeenSql(search.lastSeen, now));
  return { conditions, readsDevice: readsDevice || !!search.group || !!search.lastSeen };
}

const FROM = Prisma.sql`FROM "Certificate" AS c LEFT JOIN "Device" AS d ON d.id = c."deviceId"`;
/**
 * The certificates alone, when nothing reads the device: PostgreSQL drops an unread LEFT JOIN on a unique key
 * but still fetches the join column, which keeps a count off an index-only scan.
 */
const FROM_CERTIFICATES = Prisma.sql`FROM "Certificate" AS c`;

/** The fragment search as one OR over `c` and `d`: the same rows as the UNION in foundSql, for when most of the table matches. */
function plainSearchSql(q: string): Prisma.Sql {
  const id = parseIdentifierQuery(q);
  const identifier = id ? [exactIdentifierSql(id, Prisma.sql`c`), fragmentIdentifierSql(id, Prisma.sql`c`)].filter((x) => x !== null) : [];
  return Prisma.sql`(c."commonName" ILIKE ${containsPattern(q)} OR d.name ILIKE ${containsPattern(q)}${
    identifier.length ? Prisma.sql` OR ${Prisma.join(identifier, ' OR ')}` : Prisma.empty
  })`;
}

/**
 * The certificates a search text finds, as a `found(id)` CTE (at most EXACT_COUNT_CAP + 1 of them). A
 * complete serial, SKI or fingerprint (any format) is looked up exactly (the unique btree indexes), under
 * the other filters; only when that finds nothing is the text searched as a fragment: common name or
 * device name containing it, or an identifier containing or equal to it, as a UNION of index lookups
 * (trigram GIN on the names and identifiers). The fragment branch hangs on `NOT EXISTS (exact)`, which
 * PostgreSQL evaluates once before the branch (a one-time filter), so an exact answer never runs it.
 */
function foundSql(q: string, filters: Prisma.Sql): Prisma.Sql {
  const id = parseIdentifierQuery(q);
  const exact = id ? exactIdentifierSql(id, Prisma.sql`c`) : null;
  const identifier = id ? [exact, fragmentIdentifierSql(id, Prisma.sql`c`)].filter((x) => x !== null) : [];
  const fragment = Prisma.sql`${containsIdsSql('Certificate', 'commonName', q)}
      UNION SELECT c.id FROM "Certificate" AS c WHERE c."deviceId" IN (${containsIdsSql('Device', 'name', q)})${
        identifier.length ? Prisma.sql`
      UNION SELECT c.id FROM "Certificate" AS c WHERE ${Prisma.join(identifier, ' OR ')}` : Prisma.empty
      }`;
  const limit = EXACT_COUNT_CAP + 1;
  if (!exact) return Prisma.sql`WITH found AS MATERIALIZED (${fragment} LIMIT ${limit})`;
  return Prisma.sql`WITH exact AS MATERIALIZED (SELECT c.id ${FROM} WHERE (${exact}) AND ${filters}),
    found AS MATERIALIZED (
      SELECT id FROM exact
      UNION ALL
      (SELECT f.id FROM (${fragment}) AS f WHERE NOT EXISTS (SELECT 1 FROM exact) LIMIT ${limit})
    )`;
}

/**
 * How many certificates match, as a scalar SQL expression: exact up to EXACT_COUNT_CAP (a count that stops
 * there) when nothing filters the table, with the table's row estimate beside it (pg_class.reltuples, kept
 * by autovacuum) for the caller to show above the cap; exact when anything filters it.
 */
function countSql(where: Prisma.Sql | null, from: Prisma.Sql): { total: Prisma.Sql; estimate: Prisma.Sql } {
  if (where) return { total: Prisma.sql`(SELECT count(*)::int ${from} WHERE ${where})`, estimate: Prisma.sql`NULL::float8` };
  return {
    total: Prisma.sql`(SELECT count(*)::int FROM (SELECT 1 FROM "Certificate" LIMIT ${EXACT_COUNT_CAP + 1}) AS s)`,
    estimate: Prisma.sql`(SELECT reltuples::float8 FROM pg_class WHERE oid = '"Certificate"'::regclass)`,
  };
}

/** Each sort over `c`/`d`, and over the page's columns (`p`). */
const ORDER: Record<CertificateListSearch['sort'], [Prisma.Sql, Prisma.Sql]> = {
  expiresOn: [Prisma.sql`c."expiresOn"`, Prisma.sql`p."expiresOn"`],
  issuedOn: [Prisma.sql`c."issuedOn"`, Prisma.sql`p."issuedOn"`],
  device: [Prisma.sql`d.name`, Prisma.sql`p."deviceName"`],
  commonName: [Prisma.sql`c."commonName"`, Prisma.sql`p."commonName"`],
  serialNumber: [Prisma.sql`c."serialNumber"`, Prisma.sql`p."serialNumber"`],
  status: [Prisma.sql`c.status`, Prisma.sql`p.status`],
};

interface CertificateSqlRow {
  /** How many certificates the search text found (up to EXACT_COUNT_CAP + 1), or null without one. */
  found: number | null;
  total: number;
  estimate: number | null;
  /** The page's columns: all null on the one row of an empty page. */
  id: string | null;
  cloudflareId: string;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  commonName: string;
  status: CertificateRow['status'];
  source: CertificateRow['source'];
  issuedOn: Date;
  expiresOn: Date;
  revokedAt: Date | null;
  deviceId: string | null;
  deviceName: string | null;
  deviceGroup: string | null;
  deviceLastSeenAt: Date | null;
}

/**
 * One statement: the total (countSql) and, beside it, the page: its ids picked first over the certificates
 * alone (the device is joined only when a filter or the sort reads it), then only those rows read in full.
 * An empty page is one row of nulls carrying the total.
 */
function pageStatement(search: CertificateListSearch, ctes: Prisma.Sql, where: Prisma.Sql | null, readsDevice: boolean, found: Prisma.Sql): Prisma.Sql {
  const { skip, take } = pageWindow(search);
  const count = countSql(where, readsDevice ? FROM : FROM_CERTIFICATES);
  const dir = search.dir === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const [inner, outer] = ORDER[search.sort];
  return Prisma.sql`${ctes}
    SELECT t.found, t.total, t.estimate, p.*
      FROM (SELECT ${found} AS found, ${count.total} AS total, ${count.estimate} AS estimate) AS t
      LEFT JOIN LATERAL (
        SELECT c.id, c."cloudflareId", c."serialNumber", c.ski, c."fingerprintSha256", c."commonName", c.status, c.source,
               c."issuedOn", c."expiresOn", c."revokedAt",
               d.id AS "deviceId", d.name AS "deviceName", d."group" AS "deviceGroup", d."lastSeenAt" AS "deviceLastSeenAt"
          FROM (
            -- The id breaks ties so a page boundary never shows a row twice or skips one.
            SELECT c.id ${readsDevice || search.sort === 'device' ? FROM : FROM_CERTIFICATES} ${where ? Prisma.sql`WHERE ${where}` : Prisma.empty} ORDER BY ${inner} ${dir}, c.id ASC LIMIT ${take} OFFSET ${skip}
          ) AS page
          JOIN "Certificate" AS c ON c.id = page.id LEFT JOIN "Device" AS d ON d.id = c."deviceId"
      ) AS p ON TRUE
     ORDER BY ${outer} ${dir}, p.id ASC`;
}

/**
 * One page of certificates, filtered, sorted and paged in SQL, with its total, in one statement. A search
 * text that is a complete serial, SKI or fingerprint (any format) is looked up exactly first: one
 * certificate (two at most); only when that finds nothing is it searched as a fragment (foundSql). When
 * more than EXACT_COUNT_CAP certificates contain the text (most of the table: "sensor"), a second
 * statement pages them with one plain OR, as good there as the index lookups.
 */
export async function findCertificates(
  actor: SessionUser,
  search: CertificateListSearch,
  now = new Date(),
): Promise<{ rows: CertificateRow[]; beyondEnd: boolean } & ListTotal> {
  assertCan(actor, 'certificate:view');
  const { skip } = pageWindow(search);
  const { conditions: filters, readsDevice } = await certificateFilterSql(search, now);
  const and = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.join(conditions, ' AND ') : null);
  let rows: CertificateSqlRow[];
  if (search.q) {
    const ctes = foundSql(search.q, and(filters) ?? Prisma.sql`TRUE`);
    const where = and([Prisma.sql`c.id IN (SELECT id FROM found)`, ...filters]);
    rows = await db().$queryRaw<CertificateSqlRow[]>(pageStatement(search, ctes, where, readsDevice, Prisma.sql`(SELECT count(*)::int FROM found)`));
    if ((rows[0]?.found ?? 0) > EXACT_COUNT_CAP) {
      rows = await db().$queryRaw<CertificateSqlRow[]>(pageStatement(search, Prisma.empty, and([plainSearchSql(search.q), ...filters]), true, Prisma.sql`NULL::int`));
    }
  } else {
    rows = await db().$queryRaw<CertificateSqlRow[]>(pageStatement(search, Prisma.empty, and(filters), readsDevice, Prisma.sql`NULL::int`));
  }
  const counted = rows[0]?.total ?? 0;
  const estimate = rows[0]?.estimate;
  const total: ListTotal =
    estimate != null && counted > EXACT_COUNT_CAP ? { total: Math.max(counted, Math.round(estimate)), totalIsEstimate: true } : { total: counted, totalIsEstimate: false };
  const page = rows.filter((r): r is CertificateSqlRow & { id: string } => r.id !== null);
  return {
    rows: page.map(({ found: _found, total: _total, estimate: _estimate, deviceId, deviceName, deviceGroup, deviceLastSeenAt, ...row }) => ({
      ...row,
      device: deviceId ? { id: deviceId, name: deviceName!, group: deviceGroup!, lastSeenAt: deviceLastSeenAt } : null,
      daysLeft: daysLeft(row.expiresOn, now),
    })),
    ...total,
    beyondEnd: page.length === 0 && skip > 0,
  };
}

export interface EdgeProof {
  /** 'refused': the edge answered 403 to the revoked certificate; 'accepted': it let it through (an alarm). */
  outcome: 'refused' | 'accepted';
  status: number;
  /** From the moment Cloudflare acknowledged the revocation to the refused request. */
  elapsedMs: number;
  at: Date;
  /** Which layer answered: API Shield's mTLS rule (error code 1020) or the readings Worker. */
  layer: string | null;
}

export interface CertificateDetail extends CertificateRow {
  pem: string;
  csr: string;
  keyType: string;
  keySize: number;
  validityDays: number;
  organization: string | null;
  organizationalUnit: string | null;
  revocationReason: RevocationReason | null;
  revocationNote: string | null;
  revokedByEmail: string | null;
  supersededById: string | null;
  supersededAt: Date | null;
  missingAtCloudflareAt: Date | null;
  createdAt: Date;
  edgeProof: EdgeProof | null;
}

/** Audit actions that record a proof at the edge (written by lib/edge/proof.ts). */
export const EDGE_PROOF_ACTIONS = { refused: 'certificate.edge_refused', accepted: 'certificate.edge_accepted' } as const;

/** The latest edge proof of a certificate's current revocation, if any (older revocations do not count). */
export async function readEdgeProof(prisma: PrismaClient | Prisma.TransactionClient, certificateId: string, revokedAt: Date | null): Promise<EdgeProof | null> {
  if (!revokedAt) return null;
  const event = await prisma.auditEvent.findFirst({
    where: { targetType: 'certificate', targetId: certificateId, action: { in: Object.values(EDGE_PROOF_ACTIONS) }, at: { gte: revokedAt } },
    orderBy: { at: 'desc' },
  });
  if (!event) return null;
  const details = (event.details ?? {}) as { status?: number; elapsedMs?: number; layer?: string };
  return {
    outcome: event.action === EDGE_PROOF_ACTIONS.refused ? 'refused' : 'accepted',
    status: details.status ?? 0,
    elapsedMs: details.elapsedMs ?? 0,
    at: event.at,
    layer: details.layer ?? null,
  };
}

/** One certificate with everything its page shows, or null when there is no such certificate. */
export async function getCertificate(actor: SessionUser, id: string, now = new Date()): Promise<CertificateDetail | null> {
  assertCan(actor, 'certificate:view');
  const cert = await db().certificate.findUnique({
    where: { id },
    select: {
      ...certificateRowSelect,
      pem: true,
      csr: true,
      keyType: true,
      keySize: true,
      validityDays: true,
      organization: true,
      organizationalUnit: true,
      revocationReason: true,
      revocationNote: true,
      revokedByEmail: true,
      supersededById: true,
      supersededAt: true,
      missingAtCloudflareAt: true,
      createdAt: true,
    },
  });
  if (!cert) return null;
  const edgeProof = await readEdgeProof(db(), cert.id, cert.revokedAt);
  return { ...cert, daysLeft: daysLeft(cert.expiresOn, now), edgeProof };
}

/** Distinct device groups, for the group filter of both tables. */
export async function listDeviceGroups(actor: SessionUser): Promise<string[]> {
  assertCan(actor, 'device:view');
  return fleetGroups();
}

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
import { expiresOnInBand, liveForExpiryWhere, readExpiryThresholds } from './expiry';
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

/** `lastSeenAt` conditions for the "last seen" filter as of `now`. */
export function lastSeenWhere(filter: LastSeenFilter, now: Date): Prisma.DateTimeNullableFilter | null {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  switch (filter) {
    case '1h':
      return { gte: ago(3_600_000) };
    case '24h':
      return { gte: ago(86_400_000) };
    case '7d':
      return { gte: ago(7 * 86_400_000) };
    case 'stale':
      return { lt: ago(86_400_000) };
    case 'never':
      return null;
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
 * Ids of the certificates the search box's text finds as a fragment (common name or device name
 * containing it, or an identifier containing or equal to it), as a UNION of index lookups (trigram GIN
 * on the names and identifiers, the unique btree indexes for a whole serial/SKI/fingerprint), or null
 * when more than EXACT_COUNT_CAP match: then the plain OR is as good (most of the table matches anyway).
 */
async function certificateIdsMatching(q: string, id: IdentifierQuery | null, prisma: PrismaClient): Promise<string[] | null> {
  const identifier = id ? [exactIdentifierSql(id, Prisma.sql`c`), fragmentIdentifierSql(id, Prisma.sql`c`)].filter((x) => x !== null) : [];
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    ${containsIdsSql('Certificate', 'commonName', q)}
    UNION SELECT c.id FROM "Certificate" AS c WHERE c."deviceId" IN (${containsIdsSql('Device', 'name', q)})
    ${identifier.length ? Prisma.sql`UNION SELECT c.id FROM "Certificate" AS c WHERE ${Prisma.join(identifier, ' OR ')}` : Prisma.empty}
    LIMIT ${EXACT_COUNT_CAP + 1}`;
  return rows.length > EXACT_COUNT_CAP ? null : rows.map((r) => r.id);
}

/**
 * The `where` of the Certificates table for its URL state, as of `now`. `exact` matches the search text
 * only as a complete serial, SKI or fingerprint (unique indexes); `fragment` (the default) also as a part
 * of one or of a name.
 */
export async function certificateListWhere(
  search: CertificateListSearch,
  now: Date,
  prisma: PrismaClient = db(),
  mode: 'exact' | 'fragment' = 'fragment',
): Promise<Prisma.CertificateWhereInput> {
  const and: Prisma.CertificateWhereInput[] = [];
  if (search.q && mode === 'exact') {
    const id = parseIdentifierQuery(search.q);
    and.push({ OR: id ? exactIdentifierConditions(id) : [] });
  } else if (search.q) {
    const id = parseIdentifierQuery(search.q);
    const matching = await certificateIdsMatching(search.q, id, prisma);
    and.push(
      matching
        ? { id: { in: matching } }
        : {
            OR: [
              { commonName: { contains: search.q, mode: 'insensitive' } },
              { device: { name: { contains: search.q, mode: 'insensitive' } } },
              ...(id ? identifierConditions(id) : []),
            ],
          },
    );
  }
  if (search.status) and.push({ status: search.status });
  if (search.band) {
    const band = findExpiryBand(await readExpiryThresholds(prisma), search.band);
    if (band) and.push(liveForExpiryWhere, { expiresOn: expiresOnInBand(band, now) });
  }
  if (search.group) and.push({ device: { group: search.group } });
  if (search.lastSeen) and.push({ device: { lastSeenAt: lastSeenWhere(search.lastSeen, now) } });
  return and.length ? { AND: and } : {};
}

const ORDER: Record<CertificateListSearch['sort'], (dir: 'asc' | 'desc') => Prisma.CertificateOrderByWithRelationInput> = {
  expiresOn: (dir) => ({ expiresOn: dir }),
  issuedOn: (dir) => ({ issuedOn: dir }),
  device: (dir) => ({ device: { name: dir } }),
  commonName: (dir) => ({ commonName: dir }),
  serialNumber: (dir) => ({ serialNumber: dir }),
  status: (dir) => ({ status: dir }),
};

/**
 * One page of certificates, filtered, sorted and paged in SQL. A search text that is a complete serial,
 * SKI or fingerprint (any format) is looked up exactly first: one certificate (two at most), so a short
 * page is the whole answer and needs no count. Only when that finds nothing is it searched as a fragment.
 */
export async function findCertificates(
  actor: SessionUser,
  search: CertificateListSearch,
  now = new Date(),
): Promise<{ rows: CertificateRow[]; beyondEnd: boolean } & ListTotal> {
  assertCan(actor, 'certificate:view');
  const window = pageWindow(search);
  const page = (where: Prisma.CertificateWhereInput) =>
    db().certificate.findMany({
      where,
      select: certificateRowSelect,
      // The id breaks ties so a page boundary never shows a row twice or skips one.
      orderBy: [ORDER[search.sort](search.dir), { id: 'asc' }],
      ...window,
    });
  const result = (rows: Awaited<ReturnType<typeof page>>, total: ListTotal) => ({
    rows: rows.map((row) => ({ ...row, daysLeft: daysLeft(row.expiresOn, now) })),
    ...total,
    beyondEnd: rows.length === 0 && window.skip > 0,
  });
  const id = search.q ? parseIdentifierQuery(search.q) : null;
  const byExact = async () => {
    if (!id || !exactIdentifierConditions(id).length) return null;
    const exactWhere = await certificateListWhere(search, now, db(), 'exact');
    const rows = await page(exactWhere);
    if (rows.length > 0 && rows.length < window.take) return result(rows, { total: window.skip + rows.length, totalIsEstimate: false });
    const total = rows.length === 0 && window.skip === 0 ? 0 : await db().certificate.count({ where: exactWhere });
    return total > 0 ? result(rows, { total, totalIsEstimate: false }) : null;
  };
  const byFragment = async () => {
    const where = await certificateListWhere(search, now);
    const [rows, total] = await Promise.all([page(where), certificateTotal(where)]);
    return result(rows, total);
  };
  const [exact, speculated] = await Promise.all([byExact(), search.q && isLikelyFragment(search.q) ? byFragment() : null]);
  return exact ?? speculated ?? (await byFragment());
}

/**
 * How many certificates match: exact up to EXACT_COUNT_CAP (a count that stops there); unfiltered and
 * larger, the table's row estimate (pg_class.reltuples, kept by autovacuum), shown as an estimate; a
 * filter matching more than the cap is counted exactly.
 */
async function certificateTotal(where: Prisma.CertificateWhereInput): Promise<ListTotal> {
  const bounded = await db().certificate.count({ where, take: EXACT_COUNT_CAP + 1 });
  if (bounded <= EXACT_COUNT_CAP) return { total: bounded, totalIsEstimate: false };
  if (Object.keys(where).length === 0) {
    const [row] = await db().$queryRaw<{ n: number }[]>`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = '"Certificate"'::regclass`;
    return { total: Math.max(bounded, Math.round(row?.n ?? 0)), totalIsEstimate: true };
  }
  return { total: await db().certificate.count({ where }), totalIsEstimate: false };
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

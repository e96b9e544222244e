import { getHostnameAssociations } from '@/lib/cloudflare';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { readWatchedHosts } from './settings';

export interface LatestCheck {
  enforced: boolean;
  detail: string | null;
  noCertStatus: number | null;
  revokedStatus: number | null;
  checkedAt: Date;
}

export interface MtlsHostRow {
  hostname: string;
  /** Client certificates are requested on it (hostname association at Cloudflare). */
  associated: boolean;
  watched: boolean;
  latest: LatestCheck | null;
}

/**
 * The latest enforcement check of each host, one query: one probe of the (hostname, checkedAt) index per
 * host asked about, newest first, so it costs the same however many checks the canary has recorded (a
 * host gains one per run). Prisma's `distinct` is not SQL DISTINCT: it read every check of the hosts and
 * kept the first of each in Node.
 */
export async function latestChecks(prisma: PrismaClient, hostnames: string[]): Promise<Map<string, LatestCheck>> {
  if (hostnames.length === 0) return new Map();
  const rows = await prisma.$queryRaw<(LatestCheck & { hostname: string })[]>`
    SELECT h.hostname, e.enforced, e.detail, e."noCertStatus", e."revokedStatus", e."checkedAt"
      FROM unnest(${hostnames}::text[]) AS h(hostname)
      CROSS JOIN LATERAL (
        SELECT c.enforced, c.detail, c."noCertStatus", c."revokedStatus", c."checkedAt" FROM "EnforcementCheck" AS c
         WHERE c.hostname = h.hostname ORDER BY c."checkedAt" DESC LIMIT 1
      ) AS e`;
  return new Map(rows.map((r) => [r.hostname, { enforced: r.enforced, detail: r.detail, noCertStatus: r.noCertStatus, revokedStatus: r.revokedStatus, checkedAt: r.checkedAt }]));
}

/** Associated hosts (asked live) and watched hosts, each with its latest check. Cloudflare failing leaves `cloudflareError` set. */
export async function readMtlsHostStates(prisma: PrismaClient): Promise<{ hosts: MtlsHostRow[]; associations: string[]; cloudflareError: unknown }> {
  let associations: string[] = [];
  let cloudflareError: unknown = null;
  try {
    associations = await getHostnameAssociations();
  } catch (error) {
    cloudflareError = error;
  }
  const watched = await readWatchedHosts(prisma);
  const names = [...new Set([...associations, ...watched])].sort();
  const latest = await latestChecks(prisma, names);
  return {
    hosts: names.map((hostname) => ({ hostname, associated: associations.includes(hostname), watched: watched.includes(hostname), latest: latest.get(hostname) ?? null })),
    associations,
    cloudflareError,
  };
}

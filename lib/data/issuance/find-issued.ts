/**
 * Finding at Cloudflare the certificate an interrupted attempt may have got, by the id it noted or by its CSR's
 * digest among the zone's newest certificates: used by a retried request, the heal job and (through the digest)
 * reconcile.
 */
import type { CloudflareClientCertificate } from '@/lib/certificates/record';
import { isCloudflareError, type ListedCertificate, type PacedCloudflare, toRecordable } from '@/lib/cloudflare';
import type { IssuanceIntent } from '@/lib/generated/prisma/client';
import { csrPemDigest } from './csr';
import { asIssuanceError } from './errors';

/**
 * Looks at Cloudflare for the certificate an earlier attempt of `intent` may have got: by the id
 * noted on the intent, else by its CSR among the zone's newest certificates.
 */
export async function findEarlierIssuance(
  cloudflare: PacedCloudflare,
  intent: IssuanceIntent,
): Promise<{ certificate?: CloudflareClientCertificate; conclusive: boolean }> {
  if (intent.cloudflareId) {
    try {
      return { certificate: toRecordable(await cloudflare.get(intent.cloudflareId)), conclusive: true };
    } catch (error) {
      if (!(isCloudflareError(error) && error.code === 'NOT_FOUND')) throw await asIssuanceError(error);
    }
  }
  try {
    const search = await findIssuedForCsrs(cloudflare, new Set([intent.csrSha256]), intent.createdAt);
    return { certificate: search.found.get(intent.csrSha256), conclusive: search.conclusive };
  } catch (error) {
    throw await asIssuanceError(error);
  }
}

/** A search where Cloudflare does not say how many pages there are stops here (2,000 × 50 certificates). */
const OPEN_ENDED_PAGES = 2000;

/** Clock difference tolerated between certfleet's database and Cloudflare's `issued_on`. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Finds, among the zone's certificates issued since `since`, those made from the CSRs with these
 * digests. Cloudflare lists oldest first (the emulator does; for newest-first lists the order is
 * detected from the first page), so the search reads the last pages first and stops at a page issued
 * wholly before `since`: a couple of requests, whatever the zone's size. `conclusive` is false when
 * it gave up after `maxPages` without reaching such a page; then only a full pass (reconcile) can tell.
 */
export async function findIssuedForCsrs(
  cloudflare: PacedCloudflare,
  digests: ReadonlySet<string>,
  since: Date,
  opts: { maxPages?: number } = {},
): Promise<{ found: Map<string, ListedCertificate>; conclusive: boolean; pagesRead: number }> {
  const maxPages = opts.maxPages ?? 8;
  const found = new Map<string, ListedCertificate>();
  const threshold = since.getTime() - CLOCK_SKEW_MS;
  let pagesRead = 0;
  const scan = async (items: ListedCertificate[]) => {
    for (const item of items) {
      const digest = await csrPemDigest(item.csrPem);
      if (digest && digests.has(digest) && !found.has(digest)) found.set(digest, item);
    }
  };
  const allBefore = (items: ListedCertificate[]) => items.length > 0 && items.every((i) => i.issuedOn && i.issuedOn.getTime() < threshold);
  const done = () => found.size === digests.size;

  const first = await cloudflare.listPage(1);
  pagesRead++;
  await scan(first.items);
  const totalPages = first.totalPages ?? (first.items.length < first.perPage ? 1 : undefined);
  if (done() || first.items.length === 0 || totalPages === 1) return { found, conclusive: true, pagesRead };

  const times = first.items.map((i) => i.issuedOn?.getTime()).filter((t): t is number => t !== undefined);
  const newestFirst = times.length >= 2 && times[0] > times[times.length - 1];
  if (newestFirst && allBefore(first.items)) return { found, conclusive: true, pagesRead };

  // Pages to read, newest first; open-ended when Cloudflare does not say how many there are.
  const candidates: number[] = [];
  if (totalPages !== undefined) {
    for (let p = 2; p <= totalPages; p++) candidates.push(p);
    if (!newestFirst) candidates.reverse();
  } else {
    // Open-ended: read on until an empty page (or one wholly before `since`), at most maxPages more.
    for (let p = 2; p < 2 + Math.min(maxPages, OPEN_ENDED_PAGES); p++) candidates.push(p);
  }
  for (const page of candidates.slice(0, maxPages)) {
    const { items } = await cloudflare.listPage(page);
    pagesRead++;
    await scan(items);
    if (done() || items.length === 0 || allBefore(items)) return { found, conclusive: true, pagesRead };
  }
  return { found, conclusive: totalPages !== undefined && candidates.length <= maxPages, pagesRead };
}

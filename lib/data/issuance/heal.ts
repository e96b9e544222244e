/**
 * The heal job: settles issuance intents nobody is working on any more, recording what Cloudflare signed for
 * them and failing those it certainly never signed.
 */
import type { CloudflareClientCertificate } from '@/lib/certificates/record';
import { isCloudflareError, pacedCloudflare, type PacedCloudflare, toRecordable } from '@/lib/cloudflare';
import type { IssuanceIntent, PrismaClient } from '@/lib/generated/prisma/client';
import { completeIntent, failIntent } from './complete';
import { findIssuedForCsrs } from './find-issued';
import type { SystemActor } from './types';

/**
 * The heal job reads back as far as its oldest cut intent, whatever the number of pages: it is the one place that
 * must conclude (a retry can refuse and wait, the heal cannot), it runs at background priority so people and
 * renewals keep their share of the budget, and a cut intent is settled by its scan, so the long read happens
 * once. The bound is what a zone can hold (Cloudflare's default quota is 100,000 client certificates).
 */
const HEAL_MAX_PAGES = 2000;

export interface HealSummary {
  checked: number;
  /** Certificates Cloudflare had issued that are now recorded. */
  recorded: number;
  /** Intents Cloudflare certainly never signed, marked FAILED so they can be retried. */
  abandoned: number;
  /** Intents that could not be decided yet (search inconclusive, too young to abandon, or Cloudflare unreachable). */
  stillPending: number;
  /** Of those, the ones an earlier run found never signed, not looked for again until they may be abandoned. */
  knownUnsigned: number;
  errors: string[];
  summary: string;
}

const HEAL_ACTOR: SystemActor = { id: null, email: 'system:issuance-heal' };

/**
 * Scheduler job: settles PENDING issuance intents that nobody is working on any more (no update for
 * `idleMs`, default 2 minutes — longer than one attempt can take). A certificate Cloudflare issued
 * for one is recorded as if the request had finished; an intent Cloudflare certainly never signed and
 * older than `abandonAfterMs` (default 10 minutes) is marked FAILED, and a device made for it removed.
 *
 * A younger one found never signed is remembered so (`neverSignedAt`), and the zone is not read for it again
 * until it may be abandoned: in a renewal wave each read goes back through every certificate signed since the
 * intent, once a minute. An attempt touching the intent since (`updatedAt` later) voids the memory; one still in
 * flight somewhere is caught by the read before abandoning, which every abandonment follows.
 */
export async function healPendingIssuances(
  prisma: PrismaClient,
  opts: { idleMs?: number; abandonAfterMs?: number; limit?: number; cloudflare?: PacedCloudflare; now?: () => Date } = {},
): Promise<HealSummary> {
  const now = opts.now?.() ?? new Date();
  const idleMs = opts.idleMs ?? 2 * 60_000;
  const abandonAfterMs = opts.abandonAfterMs ?? 10 * 60_000;
  const intents = await prisma.issuanceIntent.findMany({
    where: { status: 'PENDING', updatedAt: { lt: new Date(now.getTime() - idleMs) } },
    orderBy: { createdAt: 'asc' },
    take: opts.limit ?? 200,
  });
  const result: HealSummary = { checked: intents.length, recorded: 0, abandoned: 0, stillPending: 0, knownUnsigned: 0, errors: [], summary: '' };
  if (intents.length === 0) return { ...result, summary: 'no pending issuances' };
  const cloudflare = opts.cloudflare ?? pacedCloudflare({ priority: 'background' });

  const byId = intents.filter((i) => i.cloudflareId);
  const bySearch = new Map<string, IssuanceIntent[]>();
  for (const intent of intents.filter((i) => !i.cloudflareId)) bySearch.set(intent.csrSha256, [...(bySearch.get(intent.csrSha256) ?? []), intent]);

  const mayAbandon = (intent: IssuanceIntent) => now.getTime() - intent.createdAt.getTime() > abandonAfterMs;
  const knownUnsigned = (intent: IssuanceIntent) => !!intent.neverSignedAt && intent.neverSignedAt >= intent.updatedAt && !mayAbandon(intent);

  const settle = async (intent: IssuanceIntent, certificate: CloudflareClientCertificate | undefined, conclusive: boolean) => {
    if (certificate) {
      await prisma.$transaction((tx) => completeIntent(tx, intent, certificate, { actor: HEAL_ACTOR, recovered: true }));
      result.recorded++;
    } else if (conclusive && mayAbandon(intent)) {
      await failIntent(prisma, intent, 'Interrupted before Cloudflare signed it; nothing was issued. Submit again.');
      result.abandoned++;
    } else {
      if (conclusive) {
        // Only if no attempt touched it since it was read; `updatedAt` kept, so it stays idle.
        await prisma.issuanceIntent.updateMany({
          where: { id: intent.id, status: 'PENDING', updatedAt: intent.updatedAt },
          data: { neverSignedAt: now, updatedAt: intent.updatedAt },
        });
      }
      result.stillPending++;
    }
  };

  for (const intent of byId) {
    try {
      const certificate = toRecordable(await cloudflare.get(intent.cloudflareId!));
      await settle(intent, certificate, true);
    } catch (error) {
      if (isCloudflareError(error) && error.code === 'NOT_FOUND') {
        bySearch.set(intent.csrSha256, [...(bySearch.get(intent.csrSha256) ?? []), intent]);
      } else {
        result.stillPending++;
        result.errors.push(`${intent.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  for (const [digest, group] of bySearch) {
    if (!group.every(knownUnsigned)) continue;
    bySearch.delete(digest);
    result.stillPending += group.length;
    result.knownUnsigned += group.length;
  }

  if (bySearch.size) {
    const waiting = [...bySearch.values()].flat();
    const since = new Date(Math.min(...waiting.map((i) => i.createdAt.getTime())));
    try {
      // One scan for every cut intent, back to the oldest one's time (minus the clock skew).
      const search = await findIssuedForCsrs(cloudflare, new Set(bySearch.keys()), since, { maxPages: HEAL_MAX_PAGES });
      for (const [digest, group] of bySearch) {
        // Two intents for one CSR: only the oldest gets the certificate; the others were never signed.
        const [first, ...others] = group;
        await settle(first, search.found.get(digest), search.conclusive);
        for (const other of others) await settle(other, undefined, search.conclusive || search.found.has(digest));
      }
    } catch (error) {
      result.stillPending += waiting.length;
      result.errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  result.summary = `${result.checked} pending: ${result.recorded} recorded, ${result.abandoned} abandoned, ${result.stillPending} still pending${
    result.knownUnsigned ? ` (${result.knownUnsigned} known unsigned, not looked for until they may be abandoned)` : ''
  }${result.errors.length ? `, ${result.errors.length} errors` : ''}`;
  return result;
}

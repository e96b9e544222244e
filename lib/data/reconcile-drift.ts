/**
 * What one reconcile pass finds, page by page: statuses changed outside certfleet, certificates issued outside
 * it (untracked) or for a request whose answer was lost (completed for its intent), and at the end certificates
 * Cloudflare no longer lists (missing, each confirmed by a GET). The run itself is reconcile.ts.
 */
import { type AuditActor, recordAudit } from '@/lib/audit';
import { certificateStatusFromCloudflare, recordIssuedCertificate } from '@/lib/certificates/record';
import { isCloudflareError, type ListedCertificate, type PacedCloudflare } from '@/lib/cloudflare';
import type { CertificateStatus, PrismaClient } from '@/lib/generated/prisma/client';
import { certificateLabel } from './certificate-status';
import { completeIntent } from './issuance/complete';
import { csrPemDigest } from './issuance/csr';
import type { ReconcileSummary } from './reconcile';

/** An issuance intent touched this recently belongs to a request still running (as the heal job assumes). */
const IN_FLIGHT_MS = 2 * 60_000;
/** GETs spent per run confirming that certificates are really gone; the rest wait for the next run. */
const MAX_MISSING_CONFIRMATIONS = 200;

const natural = (from: CertificateStatus, to: CertificateStatus) =>
  (from === 'PENDING_REVOCATION' && to === 'REVOKED') || (from === 'PENDING_REACTIVATION' && to === 'ACTIVE');

/** Compares one listed page with certfleet's rows and writes what drifted. */
export async function reconcilePage(
  prisma: PrismaClient,
  actor: AuditActor,
  items: ListedCertificate[],
  summary: ReconcileSummary,
  now: () => Date,
): Promise<void> {
  const known = new Map(
    (
      await prisma.certificate.findMany({
        where: { cloudflareId: { in: items.map((i) => i.id) } },
        select: { id: true, cloudflareId: true, status: true, serialNumber: true, revokedAt: true, missingAtCloudflareAt: true, deviceId: true, device: { select: { name: true } } },
      })
    ).map((c) => [c.cloudflareId, c] as const),
  );
  const unknown = items.filter((i) => !known.has(i.id));
  const digests = new Map<string, string>();
  for (const item of unknown) {
    const digest = await csrPemDigest(item.csrPem);
    if (digest) digests.set(item.id, digest);
  }
  const pending = digests.size
    ? await prisma.issuanceIntent.findMany({ where: { status: 'PENDING', csrSha256: { in: [...new Set(digests.values())] } }, orderBy: { createdAt: 'asc' } })
    : [];

  for (const item of items) {
    const local = known.get(item.id);
    if (local) {
      const to = certificateStatusFromCloudflare(item.status);
      if (local.status !== to || local.missingAtCloudflareAt) {
        await prisma.$transaction(async (tx) => {
          const revoking = to === 'PENDING_REVOCATION' || to === 'REVOKED';
          await tx.certificate.update({
            where: { id: local.id },
            data: {
              status: to,
              missingAtCloudflareAt: null,
              // Revoked outside certfleet: say when it was noticed, and that the reason is unknown.
              ...(revoking && !local.revokedAt ? { revokedAt: now(), revokedByEmail: 'outside certfleet', revocationNote: 'Revoked outside certfleet (found by reconcile)' } : {}),
            },
          });
          if (local.status !== to) {
            await recordAudit(tx, {
              actor,
              action: 'certificate.status_sync',
              targetType: 'certificate',
              targetId: local.id,
              targetLabel: certificateLabel(local),
              reason: natural(local.status, to) ? 'Cloudflare completed the change' : 'Changed outside certfleet',
              details: { from: local.status, to, cloudflareId: item.id, outsideCertfleet: !natural(local.status, to), source: 'reconcile' },
            });
          }
          if (local.missingAtCloudflareAt) {
            await recordAudit(tx, { actor, action: 'certificate.reappeared', targetType: 'certificate', targetId: local.id, targetLabel: certificateLabel(local), details: { cloudflareId: item.id } });
          }
        });
        if (local.status !== to) {
          summary.statusChanged++;
          if (summary.statusChanges.length < 100) summary.statusChanges.push({ certificateId: local.id, label: certificateLabel(local), from: local.status, to });
        }
        if (local.missingAtCloudflareAt) summary.reappeared++;
      }
      continue;
    }

    const digest = digests.get(item.id);
    const intentIndex = digest ? pending.findIndex((p) => p.csrSha256 === digest) : -1;
    if (intentIndex >= 0) {
      // Its request is still running (between Cloudflare's answer and its own write): leave it to it.
      if (pending[intentIndex]!.updatedAt.getTime() > now().getTime() - IN_FLIGHT_MS) continue;
      // A lost answer: the certificate belongs to the request that asked for it.
      const [intent] = pending.splice(intentIndex, 1);
      await prisma.$transaction((tx) => completeIntent(tx, intent!, item, { actor, recovered: true }));
      summary.healed++;
      continue;
    }
    if (!item.certificatePem) continue;
    await prisma.$transaction(async (tx) => {
      const cert = await recordIssuedCertificate(tx, item, { deviceId: null, source: 'RECONCILED' });
      await recordAudit(tx, {
        actor,
        action: 'certificate.untracked',
        targetType: 'certificate',
        targetId: cert.id,
        targetLabel: `${cert.commonName} (${cert.serialNumber})`,
        reason: 'Issued outside certfleet',
        details: { cloudflareId: item.id, serialNumber: cert.serialNumber, commonName: cert.commonName, status: cert.status },
      });
    });
    summary.untracked++;
  }
}

/** Marks the certificates Cloudflare did not list as missing, each after a GET confirms the 404. */
export async function markMissing(
  prisma: PrismaClient,
  actor: AuditActor,
  cloudflare: PacedCloudflare,
  seen: ReadonlySet<string>,
  started: Date,
  summary: ReconcileSummary,
  now: () => Date,
): Promise<void> {
  let cursor: string | undefined;
  let confirmations = 0;
  for (;;) {
    const batch = await prisma.certificate.findMany({
      // Rows made after the run started may have been issued after their page was read.
      where: { missingAtCloudflareAt: null, createdAt: { lt: started } },
      select: { id: true, cloudflareId: true, serialNumber: true, device: { select: { name: true } } },
      orderBy: { id: 'asc' },
      take: 1000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (!batch.length) return;
    cursor = batch[batch.length - 1]!.id;
    for (const cert of batch) {
      if (seen.has(cert.cloudflareId)) continue;
      if (confirmations >= MAX_MISSING_CONFIRMATIONS) return;
      confirmations++;
      try {
        await cloudflare.get(cert.cloudflareId);
        continue; // It exists after all (the list moved while it was read); the next run sees it.
      } catch (error) {
        if (!(isCloudflareError(error) && error.code === 'NOT_FOUND')) throw error;
      }
      await prisma.$transaction(async (tx) => {
        await tx.certificate.update({ where: { id: cert.id }, data: { missingAtCloudflareAt: now() } });
        await recordAudit(tx, {
          actor,
          action: 'certificate.missing_at_cloudflare',
          targetType: 'certificate',
          targetId: cert.id,
          targetLabel: certificateLabel(cert),
          reason: 'Cloudflare does not list this certificate',
          details: { cloudflareId: cert.cloudflareId },
        });
      });
      summary.missing++;
    }
  }
}

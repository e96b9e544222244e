import 'server-only';
/**
 * A certificate's status as Cloudflare holds it, written into certfleet's row: the one sync used by revocation
 * (a revocation completed meanwhile), the refresh (certificate-refresh.ts) and its jobs; and what they share to
 * name and read the certificates they touch.
 */
import { type AuditActor, recordAudit } from '@/lib/audit';
import { certificateStatusFromCloudflare } from '@/lib/certificates/record';
import type { ClientCertificateStatus } from '@/lib/cloudflare';
import type { CertificateStatus, PrismaClient } from '@/lib/generated/prisma/client';

const REFRESH_ACTOR: AuditActor = { id: null, email: 'system:refresh' };

/** The columns a revoke, an undo or a sync reads (`targetSelect`). */
export interface SyncTarget {
  id: string;
  cloudflareId: string;
  status: CertificateStatus;
  serialNumber: string;
  deviceId: string | null;
  device: { name: string } | null;
}

export const targetSelect = { id: true, cloudflareId: true, status: true, serialNumber: true, deviceId: true, device: { select: { name: true } } } as const;

/** Device name and serial, or the serial alone: how a certificate is named in results and the audit log. */
export const certificateLabel = (cert: { serialNumber: string; device: { name: string } | null }) =>
  cert.device ? `${cert.device.name} (${cert.serialNumber})` : cert.serialNumber;

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
/**
 * Writes Cloudflare's status when it differs from ours, with an audit event saying where the change
 * came from. Revocation fields follow: a revocation certfleet did not record gets `revokedAt` now
 * and `system:refresh` as who (the real who and why are unknown); a reactivation clears them.
 */
export async function syncStatus(
  prisma: PrismaClient,
  cert: Pick<SyncTarget, 'id' | 'status' | 'serialNumber' | 'device'> & { revokedAt?: Date | null },
  cloudflareStatus: ClientCertificateStatus,
): Promise<CertificateStatus | null> {
  const next = certificateStatusFromCloudflare(cloudflareStatus);
  if (next === cert.status) return null;
  const revoking = next === 'PENDING_REVOCATION' || next === 'REVOKED';
  const wasRevoking = cert.status === 'PENDING_REVOCATION' || cert.status === 'REVOKED';
  const action =
    cert.status === 'PENDING_REVOCATION' && next === 'REVOKED'
      ? 'certificate.revocation.complete'
      : cert.status === 'PENDING_REACTIVATION' && next === 'ACTIVE'
        ? 'certificate.reactivation.complete'
        : 'certificate.status.sync';
  await prisma.$transaction(async (tx) => {
    // Only if nobody changed it meanwhile (a revoke or undo racing this refresh wins).
    const updated = await tx.certificate.updateMany({
      where: { id: cert.id, status: cert.status },
      data: {
        status: next,
        ...(revoking && !wasRevoking ? { revokedAt: new Date(), revokedByEmail: REFRESH_ACTOR.email, revokedById: null, revocationReason: null, revocationNote: null } : {}),
        ...(!revoking && wasRevoking ? { revokedAt: null, revokedByEmail: null, revokedById: null, revocationReason: null, revocationNote: null } : {}),
      },
    });
    if (updated.count === 0) return;
    await recordAudit(tx, {
      actor: REFRESH_ACTOR,
      action,
      targetType: 'certificate',
      targetId: cert.id,
      targetLabel: certificateLabel(cert),
      reason: action === 'certificate.status.sync' ? 'Cloudflare reports a status certfleet had not recorded' : null,
      details: { from: cert.status, to: next, cloudflareStatus },
    });
  });
  return next;
}

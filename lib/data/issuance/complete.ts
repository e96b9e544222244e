/**
 * The two ends of an intent, each in one transaction: completed (Cloudflare's certificate recorded for it) or
 * failed (Cloudflare certainly signed nothing). Both run the steps of the kind that asked (purposes.ts), whoever
 * settles the intent: the request itself, a retry, the heal job or reconcile.
 */
import { recordAudit, type AuditActor } from '@/lib/audit';
import { recordIssuedCertificate, type CloudflareClientCertificate } from '@/lib/certificates/record';
import type { CertificateSource, IssuanceIntent, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { afterIssuanceOf } from './purposes';

/**
 * Records the certificate Cloudflare issued for `intent` and everything that follows from it, in the
 * caller's transaction: the Certificate row (attached to the intent's device), the kind's step (device made
 * ACTIVE, old certificate superseded, bulk row done), the intent ISSUED, the audit.
 * @returns the Certificate row's id
 */
export async function completeIntent(
  tx: Prisma.TransactionClient,
  intent: IssuanceIntent,
  issued: CloudflareClientCertificate,
  ctx: { actor: AuditActor; source?: CertificateSource; recovered: boolean },
): Promise<string> {
  const after = afterIssuanceOf(intent.id);
  const device = intent.deviceId
    ? await tx.device.findUnique({ where: { id: intent.deviceId }, select: { id: true, name: true, status: true } })
    : null;
  const source = after.source ?? ctx.source ?? (device ? 'ENROLLED' : 'RECONCILED');
  let certificate = await recordIssuedCertificate(tx, issued, { deviceId: device?.id ?? null, source: device ? source : 'RECONCILED' });
  if (device && certificate.deviceId === null) {
    // Reconcile saw it first and listed it as untracked: it belongs to this device after all.
    certificate = await tx.certificate.update({ where: { id: certificate.id }, data: { deviceId: device.id, source } });
  }
  const details = (await after.issued?.({ tx, intent, certificate, device, actor: ctx.actor })) ?? {};
  await tx.issuanceIntent.update({ where: { id: intent.id }, data: { status: 'ISSUED', cloudflareId: issued.id, error: null } });

  await recordAudit(tx, {
    actor: ctx.actor,
    action: after.auditAction,
    targetType: 'certificate',
    targetId: certificate.id,
    targetLabel: device?.name ?? certificate.commonName,
    details: {
      requestId: intent.id,
      cloudflareId: issued.id,
      serialNumber: certificate.serialNumber,
      ski: certificate.ski,
      fingerprintSha256: certificate.fingerprintSha256,
      validityDays: certificate.validityDays,
      expiresOn: certificate.expiresOn.toISOString(),
      source: certificate.source,
      deviceId: device?.id ?? null,
      ...(intent.actorEmail && intent.actorEmail !== ctx.actor.email ? { requestedBy: intent.actorEmail } : {}),
      ...details,
      ...(ctx.recovered ? { recovered: true } : {}),
    },
  });
  return certificate.id;
}

/**
 * Marks an intent FAILED (nothing was signed) and runs the kind's step for it, so a failed enrollment leaves
 * no half-made device behind and a bulk row says why it failed.
 */
export async function failIntent(prisma: PrismaClient, intent: IssuanceIntent, message: string): Promise<void> {
  const after = afterIssuanceOf(intent.id);
  await prisma.$transaction(async (tx) => {
    await tx.issuanceIntent.update({ where: { id: intent.id }, data: { status: 'FAILED', error: message.slice(0, 1000) } });
    await after.failed?.(tx, intent, message);
  });
}

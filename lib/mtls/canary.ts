/**
 * The canary: a client certificate certfleet issues from the zone's CA and revokes at once, so the
 * enforcement check can show the edge a certificate that is known to be revoked. It belongs to a
 * device flagged `isCanary` (never counted as fleet) and has source CANARY.
 */
import { recordAudit, type AuditActor } from '@/lib/audit';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import { cloudflare, isCloudflareError, type ClientCertificate } from '@/lib/cloudflare';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateKeyAndCsr } from '@/lib/pki';
import { readCanary, writeCanary } from './settings';

export const CANARY_DEVICE_NAME = 'certfleet-enforcement-canary';
export const CANARY_ACTOR: AuditActor = { id: null, email: 'system:enforcement-check' };
/** Long enough never to expire under the check (an expired canary would be refused for expiry, proving nothing about revocation). */
const CANARY_VALIDITY_DAYS = 3650;
const RENEW_BEFORE_MS = 30 * 86_400_000;

export type CanaryState =
  | { ready: true; certPem: string; keyPem: string; serialNumber: string; cloudflareId: string }
  | { ready: false; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The canary's calls (issue, revoke, polling its status) never go before a person's. */
const door = () => cloudflare({ priority: 'background' });

async function issueCanary(prisma: PrismaClient): Promise<{ cert: ClientCertificate; keyPem: string }> {
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({
    algorithm: 'EC',
    subject: { CN: CANARY_DEVICE_NAME, O: 'certfleet', OU: 'enforcement check (revoked on purpose)' },
  });
  const cert = await door().issueClientCertificate({ csr: csrPem, validityDays: CANARY_VALIDITY_DAYS });
  await prisma.$transaction(async (tx) => {
    const device = await tx.device.upsert({
      where: { name: CANARY_DEVICE_NAME },
      create: { name: CANARY_DEVICE_NAME, group: 'certfleet', commonName: CANARY_DEVICE_NAME, isCanary: true, status: 'INACTIVE', tags: ['canary'] },
      update: { isCanary: true },
    });
    await recordIssuedCertificate(tx, cert, { deviceId: device.id, source: 'CANARY' });
    await writeCanary(tx, { cloudflareId: cert.id, keyPem: privateKeyPem });
    await recordAudit(tx, {
      actor: CANARY_ACTOR,
      action: 'certificate.canary.issue',
      targetType: 'device',
      targetId: device.id,
      targetLabel: CANARY_DEVICE_NAME,
      reason: 'A known-revoked certificate for the mTLS enforcement check',
      details: { cloudflareId: cert.id, serialNumber: cert.serialNumber, fingerprintSha256: cert.fingerprintSha256 },
    });
  });
  return { cert, keyPem: privateKeyPem };
}

async function revokeCanary(prisma: PrismaClient, cloudflareId: string): Promise<ClientCertificate> {
  const cert = await door().revokeClientCertificate(cloudflareId);
  await prisma.$transaction(async (tx) => {
    const row = await tx.certificate.update({
      where: { cloudflareId },
      data: {
        status: cert.status === 'revoked' ? 'REVOKED' : 'PENDING_REVOCATION',
        revocationReason: 'OTHER',
        revocationNote: 'Enforcement canary: revoked on purpose so the check can present a revoked certificate.',
        revokedByEmail: CANARY_ACTOR.email,
        revokedAt: new Date(),
      },
    });
    await recordAudit(tx, {
      actor: CANARY_ACTOR,
      action: 'certificate.canary.revoke',
      targetType: 'certificate',
      targetId: row.id,
      targetLabel: CANARY_DEVICE_NAME,
      reason: 'Enforcement canary',
      details: { cloudflareId, serialNumber: row.serialNumber },
    });
  });
  return cert;
}

/**
 * A canary that Cloudflare reports as revoked, issuing and revoking one when there is none (or it
 * was deleted, reactivated or is near expiry). Waits up to `waitMs` for pending_revocation to
 * settle; Cloudflare's own delay can be longer, and then the check says so and tries next time.
 */
export async function ensureRevokedCanary(prisma: PrismaClient, opts: { waitMs?: number; pollMs?: number } = {}): Promise<CanaryState> {
  const first = await attempt(prisma, opts);
  // A check started elsewhere (the scheduler, another click) may have been issuing the canary at the same moment.
  if (!first.ready && first.retry) {
    await sleep(1_000);
    return attempt(prisma, opts);
  }
  return first;
}

async function attempt(prisma: PrismaClient, opts: { waitMs?: number; pollMs?: number }): Promise<CanaryState & { retry?: boolean }> {
  const waitMs = opts.waitMs ?? 15_000;
  const pollMs = opts.pollMs ?? 500;
  try {
    let stored = await readCanary(prisma);
    let cert: ClientCertificate | null = null;
    if (stored) {
      try {
        cert = await door().getClientCertificate(stored.cloudflareId);
      } catch (error) {
        if (!(isCloudflareError(error) && error.code === 'NOT_FOUND')) throw error;
        cert = null;
      }
      if (cert && cert.expiresOn.getTime() - Date.now() < RENEW_BEFORE_MS) cert = null;
    }
    if (!stored || !cert) {
      const issued = await issueCanary(prisma);
      stored = { cloudflareId: issued.cert.id, keyPem: issued.keyPem };
      cert = issued.cert;
    }
    if (cert.status === 'active' || cert.status === 'pending_reactivation') cert = await revokeCanary(prisma, cert.id);

    const deadline = Date.now() + waitMs;
    while (cert.status !== 'revoked' && Date.now() < deadline) {
      await sleep(pollMs);
      cert = await door().getClientCertificate(cert.id);
    }
    if (cert.status !== 'revoked') {
      return { ready: false, reason: `the canary certificate is still ${cert.status.replaceAll('_', ' ')} at Cloudflare; the revoked-certificate probe runs once Cloudflare has revoked it` };
    }
    await prisma.certificate.updateMany({ where: { cloudflareId: cert.id, status: { not: 'REVOKED' } }, data: { status: 'REVOKED' } });
    return { ready: true, certPem: cert.certificatePem, keyPem: stored.keyPem, serialNumber: cert.serialNumber, cloudflareId: cert.id };
  } catch (error) {
    return { ready: false, retry: true, reason: `no revoked canary certificate: ${error instanceof Error ? error.message : String(error)}` };
  }
}

import 'server-only';
/**
 * Renewal and rotation (ADMIN): a device gets a replacement certificate (a new key made in the
 * browser, or the device's own new CSR); the old certificate is marked superseded by it in the same
 * transaction that records the new one, and is revoked either right away or, by the
 * `autoRevokeSuperseded` job, once the device has been seen posting with the new certificate — so a
 * device that has not switched yet is never cut off.
 */
import { type AuditActor, recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { certificateStatusFromCloudflare } from '@/lib/certificates/record';
import { type ClientCertificateStatus, isCloudflareError, pacedCloudflare, type PacedCloudflare } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import type { CertificateStatus, PrismaClient } from '@/lib/generated/prisma/client';
import { type RenewalInput, RenewalSchema } from '@/lib/validation/enrollment';
import { revokeCertificates } from './revocation';
import { assertCommonName } from './enrollment';
import { renewalRequestId } from './issuance/after-renew';
import { parseCsrForIssuance } from './issuance/csr';
import { IssuanceError } from './issuance/errors';
import { issueCertificate } from './issuance/issue';
import type { IssuanceOptions, IssuanceResult } from './issuance/types';

export interface RenewalTarget {
  device: { id: string; name: string; group: string; commonName: string; status: string; lastSeenAt: Date | null };
  /** The certificate a renewal replaces: the device's newest one not yet superseded. */
  current: {
    id: string;
    serialNumber: string;
    fingerprintSha256: string;
    status: CertificateStatus;
    keyType: string;
    keySize: number;
    expiresOn: Date;
    validityDays: number;
  } | null;
  /** Replacements issued already that still wait for their predecessor's revocation. */
  waiting: { oldSerial: string; newSerial: string; newId: string; supersededAt: Date | null }[];
}

/** The device and the certificate a renewal of it would replace. Null when the device does not exist. */
export async function getRenewalTarget(actor: SessionUser, deviceId: string, prisma: PrismaClient = db()): Promise<RenewalTarget | null> {
  assertCan(actor, 'certificate:issue');
  const device = await prisma.device.findUnique({
    where: { id: deviceId },
    select: { id: true, name: true, group: true, commonName: true, status: true, lastSeenAt: true },
  });
  if (!device) return null;
  const current = await prisma.certificate.findFirst({
    where: { deviceId, supersededById: null },
    orderBy: { issuedOn: 'desc' },
    select: { id: true, serialNumber: true, fingerprintSha256: true, status: true, keyType: true, keySize: true, expiresOn: true, validityDays: true },
  });
  const superseded = await prisma.certificate.findMany({
    where: { deviceId, supersededById: { not: null }, status: { in: ['ACTIVE', 'PENDING_REACTIVATION'] } },
    select: { serialNumber: true, supersededById: true, supersededAt: true },
  });
  const replacements = await prisma.certificate.findMany({
    where: { id: { in: superseded.map((s) => s.supersededById!) } },
    select: { id: true, serialNumber: true },
  });
  return {
    device,
    current,
    waiting: superseded.map((s) => {
      const next = replacements.find((r) => r.id === s.supersededById);
      return { oldSerial: s.serialNumber, newSerial: next?.serialNumber ?? '?', newId: s.supersededById!, supersededAt: s.supersededAt };
    }),
  };
}

export interface RenewalResult extends IssuanceResult {
  /** What happened to the old certificate. */
  oldCertificate: { id: string; serialNumber: string; revoked: boolean; message: string };
}

/**
 * Issues a replacement for `replacesCertificateId` (once per request id) and marks the old one
 * superseded; `revokeOld: 'now'` then revokes it (reason SUPERSEDED), `'when-seen'` leaves that to
 * `autoRevokeSuperseded`.
 * @throws IssuanceError, AuthError
 */
export async function renewDeviceCertificate(actor: SessionUser, input: RenewalInput, options: IssuanceOptions = {}): Promise<RenewalResult> {
  assertCan(actor, 'certificate:issue');
  const data = RenewalSchema.parse(input);
  const prisma = options.prisma ?? db();
  const old = await prisma.certificate.findUnique({
    where: { id: data.replacesCertificateId },
    select: { id: true, deviceId: true, serialNumber: true, supersededById: true, status: true, device: { select: { commonName: true } } },
  });
  if (!old || old.deviceId !== data.deviceId || !old.device) {
    throw new IssuanceError('BAD_INPUT', 'That certificate does not belong to this device (any more). Reload the page.');
  }
  const requestId = renewalRequestId(old.id, data.requestId);
  const retry = await prisma.issuanceIntent.findUnique({ where: { id: requestId }, select: { id: true } });
  if (old.supersededById && !retry) {
    throw new IssuanceError('BAD_INPUT', `Certificate ${old.serialNumber} has been replaced already. Reload the page to renew the current one.`);
  }
  const csr = await parseCsrForIssuance(data.csrPem);
  assertCommonName(csr, old.device.commonName);

  const result = await issueCertificate(
    { device: { id: data.deviceId }, csr, validityDays: data.validityDays, source: 'RENEWAL', actor, requestId },
    options,
  );

  let oldCertificate: RenewalResult['oldCertificate'];
  if (data.revokeOld === 'now' && (old.status === 'ACTIVE' || old.status === 'PENDING_REACTIVATION')) {
    const { results } = await revokeCertificates(actor, {
      certificateIds: [old.id],
      reason: 'SUPERSEDED',
      note: `Replaced by ${result.certificate.serialNumber}`,
    });
    const outcome = results[0];
    oldCertificate = {
      id: old.id,
      serialNumber: old.serialNumber,
      revoked: !!outcome?.ok,
      message: outcome?.ok
        ? `The old certificate ${old.serialNumber} is being revoked: ${outcome.message}`
        : `The new certificate is issued, but revoking the old one (${old.serialNumber}) failed: ${outcome?.message ?? 'unknown error'}. Revoke it from its page.`,
    };
  } else if (old.status === 'ACTIVE' || old.status === 'PENDING_REACTIVATION') {
    oldCertificate = {
      id: old.id,
      serialNumber: old.serialNumber,
      revoked: false,
      message: `The old certificate ${old.serialNumber} stays active until the device is seen posting with the new one; then certfleet revokes it.`,
    };
  } else {
    oldCertificate = { id: old.id, serialNumber: old.serialNumber, revoked: false, message: `The old certificate ${old.serialNumber} was not active; nothing to revoke.` };
  }
  return { ...result, oldCertificate };
}

export interface AutoRevokeSummary {
  checked: number;
  revoked: number;
  /** Superseded certificates whose device has not posted with the new one yet. */
  waiting: number;
  errors: string[];
  summary: string;
}

const AUTO_REVOKE_ACTOR: AuditActor = { id: null, email: 'system:auto-revoke' };
const REVOKING: readonly ClientCertificateStatus[] = ['pending_revocation', 'revoked'];

/**
 * Scheduler job: revokes (reason SUPERSEDED) each active certificate that a renewal replaced, once the
 * device has been seen posting with its replacement — `Device.lastSeenFingerprint` or a reading signed
 * by the new certificate. A replacement that is itself no longer active keeps the old one alive.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
 */
export async function autoRevokeSuperseded(prisma: PrismaClient, opts: { cloudflare?: PacedCloudflare; limit?: number } = {}): Promise<AutoRevokeSummary> {
  const candidates = await prisma.certificate.findMany({
    where: { supersededById: { not: null }, status: 'ACTIVE' },
    select: { id: true, cloudflareId: true, serialNumber: true, deviceId: true, supersededById: true, device: { select: { name: true, lastSeenFingerprint: true } } },
    take: opts.limit ?? 500,
  });
  const result: AutoRevokeSummary = { checked: candidates.length, revoked: 0, waiting: 0, errors: [], summary: '' };
  if (!candidates.length) return { ...result, summary: 'no superseded certificates waiting' };
  const replacements = new Map(
    (
      await prisma.certificate.findMany({
        where: { id: { in: candidates.map((c) => c.supersededById!) } },
        select: { id: true, fingerprintSha256: true, serialNumber: true, status: true },
      })
    ).map((r) => [r.id, r] as const),
  );
  let cloudflare: PacedCloudflare | undefined = opts.cloudflare;

  for (const old of candidates) {
    const next = replacements.get(old.supersededById!);
    if (!next || next.status !== 'ACTIVE') {
      result.waiting++;
      continue;
    }
    const seen =
      old.device?.lastSeenFingerprint === next.fingerprintSha256 ||
      (await prisma.reading.findFirst({ where: { certificateFingerprint: next.fingerprintSha256 }, select: { id: true } })) !== null;
    if (!seen) {
      result.waiting++;
      continue;
    }
    try {
      cloudflare ??= pacedCloudflare({ priority: 'background' });
      let answered: ClientCertificateStatus;
      try {
        answered = (await cloudflare.revoke(old.cloudflareId)).status;
      } catch (error) {
        // Revoked at Cloudflare already (by an earlier run that could not record it, or by hand): record that.
        if (!(isCloudflareError(error) && error.code === 'INVALID_REQUEST')) throw error;
        answered = (await cloudflare.get(old.cloudflareId)).status;
        if (!REVOKING.includes(answered)) throw error;
      }
      const status = certificateStatusFromCloudflare(answered);
      await prisma.$transaction(async (tx) => {
        const updated = await tx.certificate.updateMany({
          where: { id: old.id, status: 'ACTIVE' },
          data: {
            status,
            revocationReason: 'SUPERSEDED',
            revocationNote: `Replaced by ${next.serialNumber}; the device posts with it`,
            revokedById: null,
            revokedByEmail: AUTO_REVOKE_ACTOR.email,
            revokedAt: new Date(),
          },
        });
        if (updated.count === 0) return;
        await recordAudit(tx, {
          actor: AUTO_REVOKE_ACTOR,
          action: 'certificate.revoke',
          targetType: 'certificate',
          targetId: old.id,
          targetLabel: old.device ? `${old.device.name} (${old.serialNumber})` : old.serialNumber,
          reason: `Superseded: the device posts with its new certificate ${next.serialNumber}`,
          details: { reason: 'SUPERSEDED', auto: true, supersededById: next.id, cloudflareStatus: answered, cloudflareId: old.cloudflareId, deviceId: old.deviceId },
        });
      });
      result.revoked++;
    } catch (error) {
      result.errors.push(`${old.serialNumber}: ${error instanceof Error ? error.message : String(error)}`);
      if (isCloudflareError(error) && error.code === 'RATE_LIMITED') break;
    }
  }
  result.summary = `${result.checked} superseded: ${result.revoked} revoked, ${result.waiting} waiting for the device${result.errors.length ? `, ${result.errors.length} errors` : ''}`;
  return result;
}

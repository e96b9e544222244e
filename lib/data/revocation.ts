import 'server-only';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { certificateStatusFromCloudflare } from '@/lib/certificates/record';
import {
  getClientCertificate,
  isCloudflareError,
  reactivateClientCertificate,
  revokeClientCertificate,
  type ClientCertificateStatus,
  type CloudflareErrorCode,
} from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import type { CertificateStatus, RevocationReason } from '@/lib/generated/prisma/client';
import { type RevokeInput, RevokeSchema } from '@/lib/validation/inventory';
import { REVOCATION_REASON_LABELS } from '@/lib/validation/inventory-constants';
import { certificateLabel, mapLimited, syncStatus, type SyncTarget, targetSelect } from './certificate-status';

/**
 * Revocation and its undo, with Cloudflare as the source of truth for a certificate's status.
 *
 * Order of writes: Cloudflare first, then the database in one transaction (status + who/when/why +
 * audit event). Nothing is half-written in the database. If that transaction fails after Cloudflare
 * answered, Cloudflare holds the newer status and certfleet the older one; that gap is healed, not
 * hidden:
 * - revoking again finds Cloudflare already revoking it and records the revocation with this reason;
 * - the refresh on every view of the certificate or its device reads Cloudflare's status and writes
 *   it, audited as a sync; so does the reconcile job (lib/data/reconcile.ts) for the whole zone.
 *   (`refreshPendingCertificates` only follows what certfleet already holds as pending.) The refresh is
 *   certificate-refresh.ts; the sync of one certificate's status certificate-status.ts.
 */

/** Cloudflare will still revoke these. */
const REVOCABLE: readonly CertificateStatus[] = ['ACTIVE', 'PENDING_REACTIVATION'];
const REVOKING: readonly ClientCertificateStatus[] = ['pending_revocation', 'revoked'];

/** What happened to one certificate of a (bulk) request; each reports its own result. */
export interface CertificateActionResult {
  certificateId: string;
  /** Device name and serial, or the serial alone. */
  label: string;
  ok: boolean;
  /** The status certfleet now holds, when it knows it. */
  status?: CertificateStatus;
  message: string;
  /** Why it failed (a code of lib/errors.ts): no such certificate, not in a state for this, Cloudflare's refusal or failure, or Cloudflare did it but certfleet could not record it. */
  failure?: 'NOT_FOUND' | 'INVALID_STATE' | CloudflareErrorCode | 'RECORD_FAILED';
}

const STATUS_WORDS: Record<CertificateStatus, string> = {
  ACTIVE: 'active',
  PENDING_REVOCATION: 'pending revocation',
  REVOKED: 'revoked',
  PENDING_REACTIVATION: 'pending reactivation',
};
export interface RevokeOutcome {
  results: CertificateActionResult[];
  /** Certificates Cloudflare accepted for revocation (and certfleet recorded). */
  revokedIds: string[];
}

/**
 * Revokes certificates at Cloudflare (SUPPORT and ADMIN), each on its own: one failure does not stop
 * the others, and each result says what happened to it. For each: `DELETE client_certificates/:id`,
 * then status (Cloudflare's answer, `pending_revocation`), who, when, why and an audit event in one
 * transaction.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
 */
export async function revokeCertificates(actor: SessionUser, input: RevokeInput): Promise<RevokeOutcome> {
  assertCan(actor, 'certificate:revoke');
  const { certificateIds, reason, note } = RevokeSchema.parse(input);
  const ids = [...new Set(certificateIds)];
  const certs = new Map(
    (await db().certificate.findMany({ where: { id: { in: ids } }, select: targetSelect })).map((c) => [c.id, c] as const),
  );
  // A few at a time: quick for a selection of dozens, and far inside Cloudflare's 1,200 calls per 5 minutes.
  const results = await mapLimited(ids, 4, async (id): Promise<CertificateActionResult> => {
    const cert = certs.get(id);
    if (!cert) return { certificateId: id, label: id, ok: false, message: 'No such certificate.', failure: 'NOT_FOUND' };
    if (!REVOCABLE.includes(cert.status)) {
      return { certificateId: id, label: certificateLabel(cert), ok: false, status: cert.status, message: `Already ${STATUS_WORDS[cert.status]}: nothing to do.`, failure: 'INVALID_STATE' };
    }
    return revokeOne(actor, cert, reason, note || null);
  });
  return { results, revokedIds: results.filter((r) => r.ok).map((r) => r.certificateId) };
}

async function revokeOne(actor: SessionUser, cert: SyncTarget, reason: RevocationReason, note: string | null): Promise<CertificateActionResult> {
  const label = certificateLabel(cert);
  let answered: ClientCertificateStatus;
  let alreadyAtCloudflare = false;
  try {
    answered = (await revokeClientCertificate(cert.cloudflareId)).status;
  } catch (error) {
    if (!isCloudflareError(error)) throw error;
    // Cloudflare refuses to revoke twice. If an earlier attempt reached Cloudflare but not our
    // database, this is where it is healed: record it now, with this request's reason.
    const current = error.code === 'INVALID_REQUEST' ? await getClientCertificate(cert.cloudflareId).catch(() => null) : null;
    if (!current || !REVOKING.includes(current.status)) return { certificateId: cert.id, label, ok: false, status: cert.status, message: error.message, failure: error.code };
    answered = current.status;
    alreadyAtCloudflare = true;
  }
  const status = certificateStatusFromCloudflare(answered);
  try {
    await db().$transaction(async (tx) => {
      await tx.certificate.update({
        where: { id: cert.id },
        data: { status, revocationReason: reason, revocationNote: note, revokedById: actor.id, revokedByEmail: actor.email, revokedAt: new Date() },
      });
      await recordAudit(tx, {
        actor,
        action: 'certificate.revoke',
        targetType: 'certificate',
        targetId: cert.id,
        targetLabel: label,
        reason: note ? `${REVOCATION_REASON_LABELS[reason]}: ${note}` : REVOCATION_REASON_LABELS[reason],
        details: { reason, cloudflareStatus: answered, cloudflareId: cert.cloudflareId, deviceId: cert.deviceId, ...(alreadyAtCloudflare ? { alreadyAtCloudflare } : {}) },
      });
    });
  } catch (error) {
    // Cloudflare has revoked it; our record lags. Not retried here: the refresh on the next view and
    // the reconcile job write Cloudflare's status, and revoking again records the reason.
    console.error(`revoke ${cert.id}: Cloudflare answered ${answered} but the database write failed:`, error);
    return {
      certificateId: cert.id,
      label,
      ok: false,
      status: cert.status,
      message: `Cloudflare accepted the revocation (${answered.replace('_', ' ')}), but certfleet could not record it. It will show after the next refresh; revoke again to record your reason.`,
      failure: 'RECORD_FAILED',
    };
  }
  return {
    certificateId: cert.id,
    label,
    ok: true,
    status,
    message: alreadyAtCloudflare
      ? `Cloudflare was already revoking it (${answered.replace('_', ' ')}); recorded.`
      : status === 'REVOKED'
        ? 'Revoked.'
        : 'Revocation requested: Cloudflare reports it pending.',
  };
}

/**
 * Undoes a revocation while Cloudflare still has it pending (SUPPORT and ADMIN):
 * `PATCH {reactivate: true}` → `pending_reactivation`, `active` shortly after. Cloudflare is asked
 * for the current status first, so a revocation that has completed meanwhile is reported as such
 * instead of being undone behind the page's back.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/edit/
 */
export async function reactivateCertificate(actor: SessionUser, certificateId: string): Promise<CertificateActionResult> {
  assertCan(actor, 'certificate:reactivate');
  const cert = await db().certificate.findUnique({
    where: { id: certificateId },
    select: { ...targetSelect, revocationReason: true, revokedAt: true, revokedByEmail: true },
  });
  if (!cert) return { certificateId, label: certificateId, ok: false, message: 'No such certificate.', failure: 'NOT_FOUND' };
  const label = certificateLabel(cert);
  if (cert.status !== 'PENDING_REVOCATION') {
    return {
      certificateId,
      label,
      ok: false,
      status: cert.status,
      message:
        cert.status === 'REVOKED'
          ? 'The revocation has completed and can no longer be undone. Issue a new certificate instead.'
          : `Only a certificate pending revocation can be restored; this one is ${STATUS_WORDS[cert.status]}.`,
      failure: 'INVALID_STATE',
    };
  }
  let answered: ClientCertificateStatus;
  try {
    const current = await getClientCertificate(cert.cloudflareId);
    if (current.status !== 'pending_revocation') {
      await syncStatus(db(), cert, current.status);
      return {
        certificateId,
        label,
        ok: false,
        status: certificateStatusFromCloudflare(current.status),
        message:
          current.status === 'revoked'
            ? 'Cloudflare has completed the revocation meanwhile: it can no longer be undone. Issue a new certificate instead.'
            : `Cloudflare reports it ${current.status.replace('_', ' ')}: nothing to undo.`,
        failure: 'INVALID_STATE',
      };
    }
    answered = (await reactivateClientCertificate(cert.cloudflareId)).status;
  } catch (error) {
    if (!isCloudflareError(error)) throw error;
    return { certificateId, label, ok: false, status: cert.status, message: error.message, failure: error.code };
  }
  const status = certificateStatusFromCloudflare(answered);
  try {
    await db().$transaction(async (tx) => {
      await tx.certificate.update({
        where: { id: cert.id },
        data: { status, revocationReason: null, revocationNote: null, revokedById: null, revokedByEmail: null, revokedAt: null },
      });
      await recordAudit(tx, {
        actor,
        action: 'certificate.reactivate',
        targetType: 'certificate',
        targetId: cert.id,
        targetLabel: label,
        reason: 'Revocation undone while pending',
        details: {
          cloudflareStatus: answered,
          undoneReason: cert.revocationReason,
          revokedAt: cert.revokedAt?.toISOString() ?? null,
          revokedBy: cert.revokedByEmail,
        },
      });
    });
  } catch (error) {
    // As for revocation: Cloudflare holds the newer status and the refresh writes it.
    console.error(`reactivate ${cert.id}: Cloudflare answered ${answered} but the database write failed:`, error);
    return {
      certificateId,
      label,
      ok: false,
      status: cert.status,
      message: `Cloudflare accepted the undo (${answered.replace('_', ' ')}), but certfleet could not record it. It will show after the next refresh.`,
      failure: 'RECORD_FAILED',
    };
  }
  return { certificateId, label, ok: true, status, message: status === 'ACTIVE' ? 'Restored: active again.' : 'Undo requested: Cloudflare reports it pending reactivation.' };
}

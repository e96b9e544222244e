import 'server-only';
import { type AuditActor, recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { certificateStatusFromCloudflare } from '@/lib/certificates/record';
import {
  cloudflare,
  getClientCertificate,
  isCloudflareError,
  reactivateClientCertificate,
  revokeClientCertificate,
  type ClientCertificateStatus,
  type CloudflareErrorCode,
  type CloudflarePriority,
} from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { edgeProofAvailability, proveRefusedAtEdge, type ProveResult } from '@/lib/edge/proof';
import type { CertificateStatus, PrismaClient, RevocationReason } from '@/lib/generated/prisma/client';
import { REVOCATION_REASON_LABELS, type RevokeInput, RevokeSchema } from '@/lib/validation/inventory';

/*
 * Revocation and its undo, with Cloudflare as the source of truth for a certificate's status.
 *
 * Order of writes: Cloudflare first, then the database in one transaction (status + who/when/why +
 * audit event). Nothing is half-written in the database. If that transaction fails after Cloudflare
 * answered, Cloudflare holds the newer status and certfleet the older one; that gap is healed, not
 * hidden:
 * - revoking again finds Cloudflare already revoking it and records the revocation with this reason;
 * - the refresh on every view of the certificate or its device reads Cloudflare's status and writes
 *   it, audited as a sync; so does the reconcile job (lib/data/reconcile.ts) for the whole zone.
 *   (`refreshPendingCertificates` only follows what certfleet already holds as pending.)
 */

const REFRESH_ACTOR: AuditActor = { id: null, email: 'system:refresh' };

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

interface Target {
  id: string;
  cloudflareId: string;
  status: CertificateStatus;
  serialNumber: string;
  deviceId: string | null;
  device: { name: string } | null;
}

const targetSelect = { id: true, cloudflareId: true, status: true, serialNumber: true, deviceId: true, device: { select: { name: true } } } as const;

const labelOf = (cert: Pick<Target, 'serialNumber' | 'device'>) => (cert.device ? `${cert.device.name} (${cert.serialNumber})` : cert.serialNumber);

const STATUS_WORDS: Record<CertificateStatus, string> = {
  ACTIVE: 'active',
  PENDING_REVOCATION: 'pending revocation',
  REVOKED: 'revoked',
  PENDING_REACTIVATION: 'pending reactivation',
};

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
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
      return { certificateId: id, label: labelOf(cert), ok: false, status: cert.status, message: `Already ${STATUS_WORDS[cert.status]}: nothing to do.`, failure: 'INVALID_STATE' };
    }
    return revokeOne(actor, cert, reason, note || null);
  });
  return { results, revokedIds: results.filter((r) => r.ok).map((r) => r.certificateId) };
}

async function revokeOne(actor: SessionUser, cert: Target, reason: RevocationReason, note: string | null): Promise<CertificateActionResult> {
  const label = labelOf(cert);
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
  const label = labelOf(cert);
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

/**
 * Writes Cloudflare's status when it differs from ours, with an audit event saying where the change
 * came from. Revocation fields follow: a revocation certfleet did not record gets `revokedAt` now
 * and `system:refresh` as who (the real who and why are unknown); a reactivation clears them.
 */
async function syncStatus(
  prisma: PrismaClient,
  cert: Pick<Target, 'id' | 'status' | 'serialNumber' | 'device'> & { revokedAt?: Date | null },
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
      targetLabel: labelOf(cert),
      reason: action === 'certificate.status.sync' ? 'Cloudflare reports a status certfleet had not recorded' : null,
      details: { from: cert.status, to: next, cloudflareStatus },
    });
  });
  return next;
}

export interface RefreshSummary {
  checked: number;
  changed: number;
  failed: number;
  /** Certificates that became REVOKED in this refresh. */
  revokedIds: string[];
  /** One line per certificate Cloudflare could not be asked about. */
  errors: string[];
}

/**
 * Asks Cloudflare for the status of each certificate and writes what changed. Never throws for a
 * Cloudflare failure: it is counted and described in `errors`, so a page still renders.
 */
export async function refreshCertificates(
  prisma: PrismaClient,
  certificateIds: readonly string[],
  opts: { priority?: CloudflarePriority } = {},
): Promise<RefreshSummary> {
  // A page a person is looking at asks interactively; the scheduler's refresh and settling are background.
  const door = cloudflare({ priority: opts.priority ?? 'interactive' });
  const summary: RefreshSummary = { checked: 0, changed: 0, failed: 0, revokedIds: [], errors: [] };
  if (certificateIds.length === 0) return summary;
  const certs = await prisma.certificate.findMany({ where: { id: { in: [...certificateIds] } }, select: { ...targetSelect, revokedAt: true } });
  await mapLimited(certs, 4, async (cert) => {
    try {
      const current = await door.getClientCertificate(cert.cloudflareId);
      summary.checked++;
      const next = await syncStatus(prisma, cert, current.status);
      if (next) summary.changed++;
      if (next === 'REVOKED') summary.revokedIds.push(cert.id);
    } catch (error) {
      if (!isCloudflareError(error)) throw error;
      summary.failed++;
      summary.errors.push(`${labelOf(cert)}: ${error.message}`);
    }
  });
  return summary;
}

/**
 * Job for the scheduler: moves certificates Cloudflare has settled (pending_revocation → revoked,
 * pending_reactivation → active) and then proves the new revocations at the edge where it can.
 * One API call per certificate, at most `limit` (default 20) per run, longest pending first (they are
 * the likeliest settled): run every 10 s, a backlog after a bulk revocation costs at most 600 of
 * Cloudflare's 1,200 calls per 5 minutes, and nothing once it has drained.
 */
export async function refreshPendingCertificates(prisma: PrismaClient, opts: { limit?: number } = {}): Promise<RefreshSummary & { proved: number }> {
  const pending = await prisma.certificate.findMany({
    where: { status: { in: ['PENDING_REVOCATION', 'PENDING_REACTIVATION'] } },
    select: { id: true },
    orderBy: { updatedAt: 'asc' },
    take: opts.limit ?? 20,
  });
  const summary = await refreshCertificates(
    prisma,
    pending.map((c) => c.id),
    { priority: 'background' },
  );
  let proved = 0;
  for (const id of summary.revokedIds) {
    if ((await proveRefusedAtEdge(prisma, id)).outcome === 'proved') proved++;
  }
  return { ...summary, proved };
}

/**
 * For a page about to show these certificates: refresh them from Cloudflare and prove new
 * revocations at the edge. `certificate:view` is enough: it only mirrors Cloudflare's state.
 */
export async function refreshCertificatesForView(actor: SessionUser, certificateIds: readonly string[]): Promise<RefreshSummary> {
  assertCan(actor, 'certificate:view');
  const summary = await refreshCertificates(db(), certificateIds);
  // Revoked earlier but not proved yet (the follow-up after the revoke may have timed out).
  const revoked = await db().certificate.findMany({ where: { id: { in: [...certificateIds] }, status: 'REVOKED' }, select: { id: true } });
  for (const { id } of revoked) await proveRefusedAtEdge(db(), id);
  return summary;
}

/** For a device's page: refresh every certificate of the device (healing any the database lags on). */
export async function refreshDeviceForView(actor: SessionUser, deviceId: string): Promise<RefreshSummary> {
  assertCan(actor, 'device:view');
  const certificates = await db().certificate.findMany({ where: { deviceId }, select: { id: true }, orderBy: { issuedOn: 'desc' }, take: 20 });
  return refreshCertificatesForView(
    actor,
    certificates.map((c) => c.id),
  );
}

/**
 * For a list page: refresh the certificates certfleet holds as pending (the `limit` longest pending;
 * the job follows the rest), so statuses that just settled show as Cloudflare has them.
 */
export async function refreshPendingForView(actor: SessionUser, limit = 10): Promise<RefreshSummary> {
  assertCan(actor, 'certificate:view');
  const pending = await db().certificate.findMany({
    where: { status: { in: ['PENDING_REVOCATION', 'PENDING_REACTIVATION'] } },
    select: { id: true },
    orderBy: { updatedAt: 'asc' },
    take: limit,
  });
  return refreshCertificatesForView(
    actor,
    pending.map((c) => c.id),
  );
}

/**
 * The follow-up of a revocation (run after the response, e.g. with Next's `after()`): for each
 * certificate that can be proved at the edge, waits for Cloudflare to report it revoked, then makes
 * the device's request and records the edge's answer. Certificates that cannot be proved (no edge,
 * no device key) are left to the refresh. Gives up after `timeoutMs`; the refresh job continues.
 */
export async function settleRevocations(
  prisma: PrismaClient,
  certificateIds: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<Map<string, ProveResult>> {
  const results = new Map<string, ProveResult>();
  const certs = await prisma.certificate.findMany({
    where: { id: { in: [...certificateIds] } },
    select: { id: true, fingerprintSha256: true },
  });
  let waiting: string[] = [];
  for (const cert of certs) if ((await edgeProofAvailability(cert)).possible) waiting.push(cert.id);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let pause = 250;
  while (waiting.length && Date.now() < deadline) {
    await refreshCertificates(prisma, waiting, { priority: 'background' });
    // An undo (or anything else) that took a certificate off the revocation path ends its wait.
    const revoking = await prisma.certificate.findMany({
      where: { id: { in: waiting }, status: { in: ['PENDING_REVOCATION', 'REVOKED'] } },
      select: { id: true },
    });
    const still: string[] = [];
    for (const { id } of revoking) {
      const result = await proveRefusedAtEdge(prisma, id);
      if (result.outcome === 'skipped' && result.reason === 'not-revoked') still.push(id);
      else if (result.outcome === 'inconclusive') still.push(id);
      else results.set(id, result);
    }
    waiting = still;
    if (waiting.length) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 4_000);
    }
  }
  return results;
}

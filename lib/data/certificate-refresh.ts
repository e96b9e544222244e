import 'server-only';
/**
 * Following Cloudflare's status of the certificates certfleet shows: the refresh on a page view, the scheduler's
 * job for pending changes, and the follow-up of a revocation that proves it at the edge.
 */
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { cloudflare, isCloudflareError, type CloudflarePriority } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { edgeProofAvailability, proveRefusedAtEdge, type ProveResult } from '@/lib/edge/proof';
import type { CertificateStatus, PrismaClient } from '@/lib/generated/prisma/client';
import { certificateLabel, mapLimited, syncStatus, targetSelect } from './certificate-status';

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
      summary.errors.push(`${certificateLabel(cert)}: ${error.message}`);
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

/** A certificate a list page shows, in the status it shows it in. */
export interface ShownCertificate {
  id: string;
  status: CertificateStatus;
}

/**
 * For a list page: refresh the certificates it shows that certfleet holds as pending (at most `limit`), so a
 * status that just settled shows as Cloudflare has it. Only what is shown: a page view costs no Cloudflare call
 * unless it shows a pending certificate, whatever the fleet holds (the scheduler's job follows the rest).
 */
export async function refreshShownForView(actor: SessionUser, shown: readonly ShownCertificate[], limit = 10): Promise<RefreshSummary> {
  assertCan(actor, 'certificate:view');
  const pending = shown.filter((c) => c.status === 'PENDING_REVOCATION' || c.status === 'PENDING_REACTIVATION').slice(0, limit);
  if (pending.length === 0) return { checked: 0, changed: 0, failed: 0, revokedIds: [], errors: [] };
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

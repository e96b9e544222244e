/**
 * Brings certfleet's copy of the zone's custom CSRs (and the custom hostnames that use them) in line
 * with Cloudflare's list: Cloudflare is the truth, certfleet mirrors it for paging, sorting and the
 * expiry flags. Heals a create whose database write failed after Cloudflare answered, and notices
 * CSRs or hostnames deleted outside certfleet.
 */
import { recordAudit, type AuditActor } from '@/lib/audit';
import { cloudflare, type CustomCsr, type CustomHostname } from '@/lib/cloudflare';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

export interface CustomCsrReconcileSummary {
  csrsImported: number;
  csrsRemoved: number;
  hostnamesImported: number;
  hostnamesUpdated: number;
  hostnamesRemoved: number;
}

export const RECONCILE_ACTOR: AuditActor = { id: null, email: 'system:reconcile-custom-csrs' };

/** The columns certfleet keeps of a Cloudflare custom CSR. */
export function customCsrData(c: CustomCsr) {
  return {
    cloudflareId: c.id,
    commonName: c.commonName,
    sans: c.sans,
    country: c.country,
    state: c.state,
    locality: c.locality,
    organization: c.organization,
    organizationalUnit: c.organizationalUnit ?? null,
    keyType: c.keyType,
    csr: c.csrPem,
    ...(c.createdAt.getTime() > 0 ? { createdAt: c.createdAt } : {}),
  };
}

/** The columns certfleet keeps of a custom hostname: its certificate's status and expiry. */
export function customHostnameData(h: CustomHostname) {
  return {
    hostname: h.hostname,
    sslStatus: h.ssl.status ?? h.status,
    issuer: h.ssl.issuer,
    expiresOn: h.ssl.expiresOn,
  };
}

/**
 * Deletes certfleet's rows of a custom CSR that Cloudflare no longer has (the CSR's and its custom
 * hostnames'), audited with the hostnames that went with it. Pass the transaction of the change.
 */
export async function deleteCustomCsrRows(
  tx: Prisma.TransactionClient,
  csr: { id: string; cloudflareId: string; commonName: string },
  audit: { actor: AuditActor; action: string; reason?: string },
): Promise<void> {
  const hostnames = await tx.customHostname.findMany({ where: { customCsrId: csr.id }, select: { hostname: true } });
  await tx.customHostname.deleteMany({ where: { customCsrId: csr.id } });
  await tx.customCsr.delete({ where: { id: csr.id } });
  await recordAudit(tx, {
    ...audit,
    targetType: 'customcsr',
    targetId: csr.id,
    targetLabel: csr.commonName,
    details: { cloudflareId: csr.cloudflareId, hostnames: hostnames.map((h) => h.hostname) },
  });
}

/**
 * The reconcile job: `reconcileCustomCsrs(prisma, actor)`. Every change it makes is audited under
 * `actor` (a person pressing the button, or RECONCILE_ACTOR on a schedule). Reads the whole list
 * from Cloudflare (50 per page); nothing changes locally when Cloudflare cannot be reached.
 * @throws CloudflareError when Cloudflare cannot be listed
 */
export async function reconcileCustomCsrs(prisma: PrismaClient, actor: AuditActor = RECONCILE_ACTOR): Promise<CustomCsrReconcileSummary> {
  // Cloudflare is listed first and certfleet read after: a CSR or hostname a person creates in between is
  // in certfleet but not in the (older) list, and must not be taken for one deleted at Cloudflare. Only
  // rows made before the listing began can be removed; newer ones wait for the next run.
  const removableBefore = new Date();
  const [remoteCsrs, remoteHosts] = await Promise.all([cloudflare({ priority: 'background' }).listCustomCsrs(), cloudflare({ priority: 'background' }).listCustomHostnames()]);
  const summary: CustomCsrReconcileSummary = { csrsImported: 0, csrsRemoved: 0, hostnamesImported: 0, hostnamesUpdated: 0, hostnamesRemoved: 0 };
  const remoteCsrIds = new Set(remoteCsrs.map((c) => c.id));

  const local = await prisma.customCsr.findMany({ select: { id: true, cloudflareId: true, commonName: true, createdAt: true } });
  const localByCf = new Map(local.map((c) => [c.cloudflareId, c]));

  for (const remote of remoteCsrs) {
    if (localByCf.has(remote.id)) continue;
    const created = await prisma.$transaction(async (tx) => {
      const row = await tx.customCsr.create({ data: customCsrData(remote), select: { id: true, cloudflareId: true, commonName: true } });
      await recordAudit(tx, {
        actor,
        action: 'customcsr.reconcile.import',
        targetType: 'customcsr',
        targetId: row.id,
        targetLabel: row.commonName,
        reason: 'Listed by Cloudflare but missing in certfleet',
        details: { cloudflareId: remote.id, keyType: remote.keyType },
      });
      return row;
    });
    localByCf.set(remote.id, { ...created, createdAt: new Date(0) });
    summary.csrsImported++;
  }

  for (const row of local) {
    if (remoteCsrIds.has(row.cloudflareId) || row.createdAt >= removableBefore) continue;
    await prisma.$transaction((tx) =>
      deleteCustomCsrRows(tx, row, { actor, action: 'customcsr.reconcile.remove', reason: 'No longer listed by Cloudflare' }),
    );
    localByCf.delete(row.cloudflareId);
    summary.csrsRemoved++;
  }

  // Only hostnames that use a custom CSR's key are certfleet's business here.
  const remoteHostsWithCsr = remoteHosts.filter((h) => h.ssl.customCsrId && localByCf.has(h.ssl.customCsrId));
  const remoteHostIds = new Set(remoteHostsWithCsr.map((h) => h.id));
  const localHosts = await prisma.customHostname.findMany({ where: { customCsrId: { not: null } } });
  const localHostsByCf = new Map(localHosts.map((h) => [h.cloudflareId, h]));

  for (const remote of remoteHostsWithCsr) {
    const csr = localByCf.get(remote.ssl.customCsrId!)!;
    const data = customHostnameData(remote);
    const existing = localHostsByCf.get(remote.id);
    if (!existing) {
      await prisma.$transaction(async (tx) => {
        const row = await tx.customHostname.create({ data: { ...data, cloudflareId: remote.id, customCsrId: csr.id } });
        await recordAudit(tx, {
          actor,
          action: 'customhostname.reconcile.import',
          targetType: 'customhostname',
          targetId: row.id,
          targetLabel: row.hostname,
          reason: 'Listed by Cloudflare but missing in certfleet',
          details: { cloudflareId: remote.id, customCsr: csr.commonName, sslStatus: data.sslStatus, expiresOn: data.expiresOn?.toISOString() ?? null },
        });
      });
      summary.hostnamesImported++;
      continue;
    }
    const changed =
      existing.sslStatus !== data.sslStatus ||
      existing.issuer !== data.issuer ||
      (existing.expiresOn?.getTime() ?? null) !== (data.expiresOn?.getTime() ?? null) ||
      existing.hostname !== data.hostname;
    if (!changed) continue;
    await prisma.$transaction(async (tx) => {
      await tx.customHostname.update({ where: { id: existing.id }, data });
      await recordAudit(tx, {
        actor,
        action: 'customhostname.reconcile.update',
        targetType: 'customhostname',
        targetId: existing.id,
        targetLabel: data.hostname,
        details: {
          from: { sslStatus: existing.sslStatus, expiresOn: existing.expiresOn?.toISOString() ?? null },
          to: { sslStatus: data.sslStatus, expiresOn: data.expiresOn?.toISOString() ?? null },
        },
      });
    });
    summary.hostnamesUpdated++;
  }

  for (const row of localHosts) {
    if (remoteHostIds.has(row.cloudflareId) || row.createdAt >= removableBefore) continue;
    await prisma.$transaction(async (tx) => {
      await tx.customHostname.delete({ where: { id: row.id } });
      await recordAudit(tx, {
        actor,
        action: 'customhostname.reconcile.remove',
        targetType: 'customhostname',
        targetId: row.id,
        targetLabel: row.hostname,
        reason: 'No longer listed by Cloudflare',
        details: { cloudflareId: row.cloudflareId },
      });
    });
    summary.hostnamesRemoved++;
  }
  return summary;
}

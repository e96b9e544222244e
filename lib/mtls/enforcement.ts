/**
 * The enforcement check: for each mTLS host, a handshake without a certificate and one with the
 * known-revoked canary, against the edge with the host's name as SNI and Host. Results go to the
 * EnforcementCheck table; the Overview flags every host whose latest result is not enforced.
 */
import { recordAudit } from '@/lib/audit';
import { getHostnameAssociations } from '@/lib/cloudflare';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { CANARY_ACTOR, ensureRevokedCanary } from './canary';
import { readMtlsConfig, type MtlsConfig } from './config';
import { judgeEnforcement } from './judge';
import { probeHost } from './probe';
import { readWatchedHosts, writeWatchedHosts } from './settings';

export interface EnforcementCheckResult {
  hostname: string;
  enforced: boolean;
  noCertStatus: number | null;
  revokedStatus: number | null;
  detail: string;
}

export interface EnforcementCheckSummary {
  checkedAt: Date;
  results: EnforcementCheckResult[];
  /** Wildcard associations: no single name to connect to. */
  skipped: { hostname: string; reason: string }[];
  /** Set when the association list could not be read (the watched hosts were still checked). */
  associationsError?: string;
}

/** Where a host is reached: the local edge (SNI/Host carry the name) or the host itself. */
function targetFor(config: MtlsConfig, hostname: string): { url: string; caPem: string | null } | { error: string } {
  if (config.mode === 'local') {
    if (!config.edgeUrl) return { error: 'CERTFLEET_EDGE_URL is not set, so the local edge cannot be reached' };
    return { url: config.edgeUrl, caPem: config.edgeCaPem };
  }
  return { url: `https://${hostname}`, caPem: null };
}

/**
 * The scheduled job `runEnforcementCheck(prisma)`: checks every associated host and every host
 * certfleet watches (a host whose association was removed stays watched and shows red).
 */
export async function runEnforcementCheck(
  prisma: PrismaClient,
  opts: { config?: MtlsConfig; timeoutMs?: number; canaryWaitMs?: number } = {},
): Promise<EnforcementCheckSummary> {
  const config = opts.config ?? readMtlsConfig();
  const checkedAt = new Date();
  let associations: string[] = [];
  let associationsError: string | undefined;
  try {
    associations = await getHostnameAssociations();
  } catch (error) {
    associationsError = error instanceof Error ? error.message : String(error);
  }
  // Read inside the write's transaction: a person may be adding or removing a host right now.
  const watched = await prisma.$transaction(async (tx) => {
    const current = await readWatchedHosts(tx);
    const newlySeen = associations.filter((h) => !current.includes(h));
    if (newlySeen.length) {
      await writeWatchedHosts(tx, [...current, ...newlySeen]);
      await recordAudit(tx, {
        actor: CANARY_ACTOR,
        action: 'mtls.host.watch',
        targetType: 'mtls-host',
        targetLabel: newlySeen.join(', '),
        reason: 'Associated at Cloudflare; certfleet now checks its enforcement',
        details: { hostnames: newlySeen },
      });
    }
    return [...current, ...newlySeen];
  });
  const hosts = [...new Set([...watched, ...associations])].sort();
  const skipped = hosts.filter((h) => h.includes('*')).map((hostname) => ({ hostname, reason: 'a wildcard has no single name to connect to; watch a concrete hostname under it' }));
  const concrete = hosts.filter((h) => !h.includes('*'));
  if (concrete.length === 0) return { checkedAt, results: [], skipped, associationsError };

  const canary = await ensureRevokedCanary(prisma, { waitMs: opts.canaryWaitMs });
  const results: EnforcementCheckResult[] = [];
  for (const hostname of concrete) {
    const target = targetFor(config, hostname);
    let result: EnforcementCheckResult;
    if ('error' in target) {
      result = { hostname, enforced: false, noCertStatus: null, revokedStatus: null, detail: `Not checked: ${target.error}.` };
    } else {
      const base = { url: target.url, hostname, caPem: target.caPem, timeoutMs: opts.timeoutMs };
      const noCert = await probeHost(base);
      const revoked = canary.ready ? await probeHost({ ...base, client: { certPem: canary.certPem, keyPem: canary.keyPem } }) : { skipped: canary.reason };
      const verdict = judgeEnforcement(noCert, revoked);
      const associated = associations.includes(hostname) || associations.some((a) => a.startsWith('*.') && hostname.endsWith(a.slice(1)));
      const note = !associationsError && !associated ? ' Client certificates are not requested on this host (no hostname association).' : '';
      result = {
        hostname,
        enforced: verdict.enforced,
        noCertStatus: noCert.status,
        revokedStatus: 'skipped' in revoked ? null : revoked.status,
        detail: verdict.detail + note,
      };
    }
    await prisma.enforcementCheck.create({ data: { ...result, checkedAt } });
    results.push(result);
  }
  return { checkedAt, results, skipped, associationsError };
}

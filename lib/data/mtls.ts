import 'server-only';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { getHostnameAssociations, updateHostnameAssociations } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { readMtlsConfig } from '@/lib/mtls/config';
import { runEnforcementCheck, type EnforcementCheckSummary } from '@/lib/mtls/enforcement';
import { MtlsError, mtlsErrorFromCloudflare } from '@/lib/mtls/errors';
import { mtlsRuleExpression } from '@/lib/mtls/rule';
import { readWatchedHosts, writeWatchedHosts } from '@/lib/mtls/settings';
import { latestChecks, readMtlsHostStates, type LatestCheck, type MtlsHostRow } from '@/lib/mtls/state';

export type { LatestCheck, MtlsHostRow } from '@/lib/mtls/state';

export interface MtlsHostsView {
  mode: 'local' | 'real';
  hosts: MtlsHostRow[];
  /** Set when Cloudflare's association list could not be read. */
  cloudflareError: string | null;
  /** The custom-rule expression for the associated hosts (what to paste in a real zone). */
  ruleExpression: string;
  configProblems: string[];
}

/** The mTLS hosts page: associated hosts from Cloudflare, watched hosts, and each one's latest check. */
export async function getMtlsHosts(actor: SessionUser): Promise<MtlsHostsView> {
  assertCan(actor, 'mtls:view');
  const config = readMtlsConfig();
  const state = await readMtlsHostStates(db());
  return {
    mode: config.mode,
    hosts: state.hosts,
    cloudflareError: state.cloudflareError ? mtlsErrorFromCloudflare(state.cloudflareError).message : null,
    ruleExpression: mtlsRuleExpression(state.associations),
    configProblems: config.problems,
  };
}

/**
 * Turns mTLS on for a host: adds it to the zone CA's hostname associations and watches it from now on.
 * @see ../shared/seeds/001 step 5
 */
export async function addMtlsHost(actor: SessionUser, hostname: string): Promise<string[]> {
  assertCan(actor, 'mtls:manage');
  return changeAssociations(actor, hostname, 'mtls.host.add', (before) => {
    if (before.includes(hostname)) throw new MtlsError('DUPLICATE', `${hostname} already requires client certificates.`, true);
    return [...before, hostname];
  });
}

/** Stops requesting client certificates on a host. It stays watched, so the Overview shows it as not enforced. */
export async function removeMtlsHost(actor: SessionUser, hostname: string): Promise<string[]> {
  assertCan(actor, 'mtls:manage');
  return changeAssociations(actor, hostname, 'mtls.host.remove', (before) => {
    if (!before.includes(hostname)) throw new MtlsError('NOT_ASSOCIATED', `${hostname} does not require client certificates; nothing to remove.`);
    return before.filter((h) => h !== hostname);
  });
}

/**
 * Puts the zone CA's hostname associations `change` makes of the current ones (a PUT of the whole list,
 * re-read just before), keeps `hostname` watched, and audits both lists. Answers the list Cloudflare keeps.
 */
async function changeAssociations(actor: SessionUser, hostname: string, action: string, change: (before: string[]) => string[]): Promise<string[]> {
  let before: string[];
  let after: string[];
  try {
    before = await getHostnameAssociations();
    after = await updateHostnameAssociations(change(before));
  } catch (error) {
    throw mtlsErrorFromCloudflare(error);
  }
  await db().$transaction(async (tx) => {
    await writeWatchedHosts(tx, [...(await readWatchedHosts(tx)), hostname]);
    await recordAudit(tx, { actor, action, targetType: 'mtls-host', targetLabel: hostname, details: { before, after } });
  });
  return after;
}

/** Stops checking a host whose association is gone (it then leaves the Overview). */
export async function unwatchMtlsHost(actor: SessionUser, hostname: string): Promise<void> {
  assertCan(actor, 'mtls:manage');
  let associated: string[];
  try {
    associated = await getHostnameAssociations();
  } catch (error) {
    throw mtlsErrorFromCloudflare(error);
  }
  if (associated.includes(hostname)) {
    throw new MtlsError('STILL_ASSOCIATED', `${hostname} still requires client certificates: remove it first, then stop watching it.`);
  }
  await db().$transaction(async (tx) => {
    const watched = await readWatchedHosts(tx);
    if (!watched.includes(hostname)) throw new MtlsError('NOT_WATCHED', `certfleet is not watching ${hostname}.`);
    await writeWatchedHosts(
      tx,
      watched.filter((h) => h !== hostname),
    );
    await recordAudit(tx, { actor, action: 'mtls.host.unwatch', targetType: 'mtls-host', targetLabel: hostname });
  });
}

/** The "Run check now" button: the scheduled job's work, recorded under the person who asked. */
export async function runEnforcementCheckNow(actor: SessionUser): Promise<EnforcementCheckSummary> {
  assertCan(actor, 'mtls:manage');
  const summary = await runEnforcementCheck(db());
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actor,
      action: 'mtls.check.run',
      targetType: 'mtls-host',
      targetLabel: summary.results.map((r) => r.hostname).join(', ') || null,
      details: { results: summary.results.map((r) => ({ hostname: r.hostname, enforced: r.enforced })) },
    }),
  );
  return summary;
}

export interface MtlsOverviewFlags {
  hosts: { hostname: string; latest: LatestCheck | null }[];
  notEnforced: number;
  unchecked: number;
}

/** The Overview's mTLS section, from the database alone (no Cloudflare call on the Overview). */
export async function getMtlsOverviewFlags(actor: SessionUser): Promise<MtlsOverviewFlags> {
  assertCan(actor, 'dashboard:view');
  const watched = (await readWatchedHosts(db())).filter((h) => !h.includes('*'));
  const latest = await latestChecks(db(), watched);
  const hosts = watched.map((hostname) => ({ hostname, latest: latest.get(hostname) ?? null }));
  return {
    hosts,
    notEnforced: hosts.filter((h) => h.latest && !h.latest.enforced).length,
    unchecked: hosts.filter((h) => !h.latest).length,
  };
}

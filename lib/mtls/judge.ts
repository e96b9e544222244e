import type { ProbeResult } from './probe';

export interface EnforcementVerdict {
  enforced: boolean;
  /** One sentence per probe, then what it means. */
  detail: string;
}

const said = (r: ProbeResult) => (r.outcome === 'refused' ? `refused (${r.how})` : r.outcome === 'allowed' ? `let through (${r.how})` : `not reachable (${r.how})`);

/**
 * "Enforced" only when the edge refuses both a request without a certificate and one with a
 * revoked certificate (403 or a refused handshake): anything less means a device without a valid
 * certificate can reach the API, which is what the rule is for (seed 001, step 6).
 */
export function judgeEnforcement(noCert: ProbeResult, revoked: ProbeResult | { skipped: string }): EnforcementVerdict {
  const parts = [`Without a certificate: ${said(noCert)}.`];
  parts.push('skipped' in revoked ? `With a revoked certificate: not tested (${revoked.skipped}).` : `With a revoked certificate: ${said(revoked)}.`);
  const revokedRefused = !('skipped' in revoked) && revoked.outcome === 'refused';
  const enforced = noCert.outcome === 'refused' && revokedRefused;
  let meaning: string;
  if (enforced) meaning = 'The blocking rule is in force.';
  else if (noCert.outcome === 'unreachable' || (!('skipped' in revoked) && revoked.outcome === 'unreachable')) {
    meaning = 'The host could not be reached, so enforcement is not proven.';
  } else if (noCert.outcome === 'allowed') meaning = 'Requests without a client certificate reach the origin: mTLS or the blocking rule is off for this host.';
  else if (!('skipped' in revoked) && revoked.outcome === 'allowed') meaning = 'Revoked certificates get through: the rule does not check cf.tls_client_auth.cert_revoked.';
  else meaning = 'Revoked certificates were not tested, so enforcement is not proven.';
  parts.push(meaning);
  return { enforced, detail: parts.join(' ') };
}

/**
 * API Shield's blocking rule (seed 001, step 6): requesting client certificates on a host (step 5)
 * only asks for them; this rule is what refuses a request without a valid, unrevoked one.
 * @see https://developers.cloudflare.com/api-shield/security/mtls/configure/
 */
export const MTLS_BLOCK_EXPRESSION = 'not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked';

/** The full custom-rule expression for a set of hostnames, ready to paste into the Cloudflare dashboard. */
export function mtlsRuleExpression(hostnames: string[]): string {
  const hosts = hostnames.filter((h) => !h.includes('*'));
  const scope = hosts.length ? `(http.host in {${hosts.map((h) => JSON.stringify(h)).join(' ')}}) and ` : '';
  return `${scope}(${MTLS_BLOCK_EXPRESSION})`;
}

/** Where the rule goes in the dashboard, step by step. */
export const MTLS_RULE_WHERE = [
  'Cloudflare dashboard → your zone → Security → WAF → Custom rules → Create rule.',
  'Name it "mTLS: block missing or revoked client certificates", choose "Edit expression" and paste the expression.',
  'Action: Block. Deploy.',
];

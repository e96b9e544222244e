/**
 * Hostname rules for custom-CSR SANs and custom hostnames, worded after Cloudflare's own errors
 * (custom CSR codes 1411–1416, custom hostname codes 1407–1411) so a refusal reads the same whether
 * certfleet or Cloudflare makes it. Browser-safe: the create form runs the same checks.
 * @see https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/custom-csrs/
 */

export type HostnameProblem = 'empty' | 'tooLong' | 'ipAddress' | 'nonAscii' | 'invalid' | 'reserved' | 'exampleDomain' | 'unparsable';

/** Cloudflare: SANs "have to be smaller than 256 characters in length". */
export const MAX_SAN_LENGTH = 255;
const RESERVED_TLDS = new Set(['test', 'example', 'invalid', 'localhost']);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function looksLikeIp(name: string): boolean {
  return IPV4.test(name) || (name.includes(':') && /^[0-9a-f:.[\]]+$/i.test(name));
}

/** The first rule a name breaks, or undefined when Cloudflare would accept it as a SAN or custom hostname. */
export function hostnameProblem(name: string, { allowWildcard = true } = {}): HostnameProblem | undefined {
  if (name.length === 0) return 'empty';
  if (name.length > MAX_SAN_LENGTH) return 'tooLong';
  // eslint-disable-next-line no-control-regex -- ASCII is exactly what is being tested
  if (/[^\x00-\x7f]/.test(name)) return 'nonAscii';
  if (looksLikeIp(name)) return 'ipAddress';
  const host = name.toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const check = allowWildcard && labels[0] === '*' ? labels.slice(1) : labels;
  if (check.length === 0 || check.some((label) => !LABEL.test(label))) return 'invalid';
  if (check.length < 2) return 'unparsable';
  if (RESERVED_TLDS.has(check[check.length - 1]!)) return 'reserved';
  if (/(^|\.)example\.(com|net|org)$/.test(host)) return 'exampleDomain';
  return undefined;
}

/** What to tell a person about a name that breaks a rule; `what` is "SAN" or "Hostname". */
export function hostnameProblemMessage(problem: HostnameProblem, name: string, what = 'SAN'): string {
  const shown = name.length > 60 ? `${name.slice(0, 57)}…` : name;
  switch (problem) {
    case 'empty':
      return `A ${what} cannot be empty.`;
    case 'tooLong':
      return `${what} "${shown}" is too long: at most ${MAX_SAN_LENGTH} characters (it has ${name.length}).`;
    case 'ipAddress':
      return `${what} "${shown}" is an IP address; Cloudflare accepts hostnames only.`;
    case 'nonAscii':
      return `${what} "${shown}" has non-ASCII characters; enter its punycode form (xn--…).`;
    case 'invalid':
      return `${what} "${shown}" is not a valid hostname: use letters, digits and hyphens, with dots between labels, and no label starting or ending with a hyphen.`;
    case 'unparsable':
      return `${what} "${shown}" is not a registrable domain name: it needs a name and a top-level domain, such as app.acme.com.`;
    case 'reserved':
      return `${what} "${shown}" ends in a reserved top-level domain (.test, .example, .invalid, .localhost), which Cloudflare does not accept.`;
    case 'exampleDomain':
      return `${what} "${shown}" is under example.com, example.net or example.org, which Cloudflare does not accept.`;
  }
}

/** Lowercase, no trailing dot: how names are compared and stored. */
export function normalizeHostname(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Does a certificate name (possibly "*.acme.com") cover this hostname? One label per wildcard, as TLS clients match (RFC 6125 §6.4.3). */
export function nameCovers(certName: string, hostname: string): boolean {
  const a = normalizeHostname(certName);
  const h = normalizeHostname(hostname);
  if (a === h) return true;
  if (a.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === a.slice(2);
  }
  return false;
}

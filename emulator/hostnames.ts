import { isIP } from 'node:net';

export type HostnameProblem = 'invalid' | 'nonAscii' | 'reserved' | 'unparsable' | 'exampleDomain';

const RESERVED_TLDS = new Set(['test', 'example', 'invalid', 'localhost']);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * The hostname rules Cloudflare for SaaS documents for custom hostnames and custom-CSR SANs
 * (same wording, codes 1407–1411 / 1412–1416): ≤255 characters, ASCII, no IPs or special
 * characters, no reserved TLDs, nothing under example.com/.net/.org, and a registrable domain.
 * @see https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/custom-hostnames/
 */
export function hostnameProblem(name: unknown, { allowWildcard = true } = {}): HostnameProblem | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) return 'invalid';
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) return 'nonAscii';
  if (isIP(name)) return 'invalid';
  const host = name.toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const check = allowWildcard && labels[0] === '*' ? labels.slice(1) : labels;
  if (check.some((l) => !LABEL.test(l))) return 'invalid';
  if (check.length < 2) return 'unparsable';
  if (RESERVED_TLDS.has(check[check.length - 1])) return 'reserved';
  if (/(^|\.)example\.(com|net|org)$/.test(host)) return 'exampleDomain';
  return undefined;
}

/** A resource's errors for the hostname rules: Cloudflare words them for SANs (1412–1416) or custom hostnames (1407–1411). */
export type HostnameErrors = Record<Exclude<HostnameProblem, 'unparsable'>, () => Error> & { unparsable: (reason: string) => Error };

/** The error, from the resource's own set, for a name that breaks `problem`. */
export function hostnameRefusal(problem: HostnameProblem, name: unknown, errors: HostnameErrors): Error {
  return problem === 'unparsable' ? errors.unparsable(`publicsuffix: cannot derive eTLD+1 for domain ${String(name)}`) : errors[problem]();
}

/** Does a certificate name (possibly "*.zone") cover this hostname? One label per wildcard, as browsers match. */
export function nameCovers(certName: string, hostname: string): boolean {
  const a = certName.toLowerCase().replace(/\.$/, '');
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (a === h) return true;
  if (a.startsWith('*.')) {
    const rest = a.slice(2);
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === rest;
  }
  return false;
}

/*
 * The hostname check itself, without zod: the add form on /mtls runs it in the browser (issue 12: no zod
 * on the page's first load) and MtlsHostSchema (hostnames.ts) runs it for the actions, so both say the same.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What Cloudflare is given: trimmed, lower-case, without the root's trailing dot. */
export function normalizeMtlsHostname(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Why a normalised hostname cannot be used, or undefined when it can. */
export function mtlsHostnameProblem(name: string): string | undefined {
  if (!name) return 'Enter a hostname, such as api.acme-corp.com.';
  if (name.length > 253) return `A hostname has at most 253 characters (this has ${name.length}).`;
  // eslint-disable-next-line no-control-regex -- ASCII is exactly what is being tested
  if (/[^\x00-\x7f]/.test(name)) return 'Enter the hostname in its ASCII (punycode, xn--…) form.';
  if (/[/?#@\s]/.test(name)) return 'Enter only the hostname, without scheme, path or spaces (api.acme-corp.com, not https://api.acme-corp.com/).';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':')) return 'Enter a hostname, not an IP address or a port.';
  const labels = name.split('.');
  const rest = labels[0] === '*' ? labels.slice(1) : labels;
  if (rest.length === 0 || rest.some((l) => !LABEL.test(l))) {
    return 'This is not a valid hostname: use letters, digits and hyphens, with dots between labels, no label starting or ending with a hyphen.';
  }
  return undefined;
}

/*
 * Request-wide rules shared by proxy.ts (every request, before Next parses a server action) and the
 * route() / action() wrappers (lib/server): same origin for anything that changes state, no NUL bytes,
 * bounded bodies. Plain functions of headers and values, without Next or server-only imports, so the
 * proxy, the wrappers and the tests use the very same code. docs/security.md says where each applies.
 */

/** A JSON body or a server action's body may be at most this long (Next's own default for actions). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Methods that may change state: each needs a same-origin request. */
export function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/**
 * Why a request must be refused as cross-site, or undefined when it is same-origin or not from a
 * browser at all. A browser sends `Origin` with every POST/PUT/PATCH/DELETE and `Sec-Fetch-Site` with
 * every request; a script (curl, the SDK) sends neither and cannot carry a victim's cookies anyway.
 * The request's own origin is the `Host` the browser connected to (or `X-Forwarded-Host` behind a
 * proxy: a cross-site page cannot set that header without a CORS preflight, which is never granted),
 * plus CERTFLEET_PUBLIC_URL when set.
 */
export function crossOriginReason(headers: Headers): string | undefined {
  const origin = headers.get('origin');
  if (origin !== null) {
    if (origin === 'null') return 'This request came from a page without an origin (a sandboxed frame or a file); certfleet only accepts changes from its own pages.';
    let host: string;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      return 'This request’s Origin header cannot be read; certfleet only accepts changes from its own pages.';
    }
    if (!ownHosts(headers).includes(host)) return `This request came from another site (${originLabel(origin)}); certfleet only accepts changes from its own pages.`;
    return undefined;
  }
  const site = headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') {
    return `This request came from another site (Sec-Fetch-Site: ${site.slice(0, 20)}); certfleet only accepts changes from its own pages.`;
  }
  return undefined;
}

function ownHosts(headers: Headers): string[] {
  const hosts: string[] = [];
  const host = headers.get('host');
  if (host) hosts.push(host.toLowerCase());
  const forwarded = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  if (forwarded) hosts.push(forwarded.toLowerCase());
  const publicUrl = process.env.CERTFLEET_PUBLIC_URL;
  if (publicUrl) {
    try {
      hosts.push(new URL(publicUrl).host.toLowerCase());
    } catch {
      // A malformed setting adds nothing; the Host header still counts.
    }
  }
  return hosts;
}

/** An origin as a message may quote it: printable, short. */
function originLabel(origin: string): string {
  const clean = origin.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}

/** Whether a declared body length is over `limit` (a missing or unreadable length is checked while reading). */
export function declaredLengthOver(headers: Headers, limit = MAX_BODY_BYTES): boolean {
  const length = Number(headers.get('content-length'));
  return Number.isFinite(length) && length > limit;
}

/** A message for a body over `limit`. */
export function tooLargeMessage(limit = MAX_BODY_BYTES): string {
  return `The request body is larger than ${formatBytes(limit)}; send less at a time.`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** PostgreSQL text cannot hold U+0000 (error 22021): a value with one is refused before it gets that far. */
export function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/**
 * The first place a NUL byte hides in a parsed value (a JSON body, a query, path params, a form), as a
 * field path like `sans.2` (`_` for the value itself), or undefined when there is none.
 */
export function nulFieldOf(value: unknown, path: string[] = [], depth = 0): string | undefined {
  if (typeof value === 'string') return hasNul(value) ? path.join('.') || '_' : undefined;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  if (typeof FormData !== 'undefined' && value instanceof FormData) {
    for (const [key, entry] of value.entries()) {
      if (hasNul(key) || (typeof entry === 'string' && hasNul(entry))) return key.replaceAll('\u0000', '\\0') || '_';
    }
    return undefined;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, entry] of entries) {
    if (hasNul(key)) return [...path, key.replaceAll('\u0000', '\\0')].join('.');
    const found = nulFieldOf(entry, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The message for a NUL byte found at `field`. */
export function nulMessage(field: string): string {
  return field === '_' ? 'The request contains a NUL byte (\\u0000), which no text field may hold.' : `${field}: contains a NUL byte (\\u0000), which no text field may hold.`;
}

/** Whether a URL (path or query, raw or decoded) carries a NUL byte. */
export function urlHasNul(url: URL): boolean {
  const raw = `${url.pathname}${url.search}`;
  if (/%00/i.test(raw) || hasNul(raw)) return true;
  for (const [key, value] of url.searchParams) if (hasNul(key) || hasNul(value)) return true;
  return false;
}

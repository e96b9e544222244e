/**
 * The path to return to after sign-in, or `fallback`. Only a same-origin path is honoured: anything
 * with a scheme, a host (`//evil.example`), or a backslash that browsers read as a slash would make
 * the sign-in page an open redirect.
 */
export function safeCallbackPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return fallback;
  const base = 'http://certfleet.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Returning to the sign-in or sign-out page itself would loop.
  if (url.pathname === '/signin' || url.pathname === '/signout') return fallback;
  return path;
}

/*
 * The Content-Security-Policy of every page (proxy.ts adds it with a fresh nonce per request). The other
 * security headers are the same on every answer and live in next.config.mjs; docs/security.md lists them.
 *
 * Scripts: only those carrying this request's nonce (Next's own and the theme script in app/layout.tsx),
 * and what they load ('strict-dynamic'); no inline script without the nonce, no eval in production.
 * Styles allow inline `style` attributes: React and recharts set them, and a style cannot run code.
 */
export function contentSecurityPolicy(nonce: string, development = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${development ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

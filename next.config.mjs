/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite and the Cloudflare SDK run in Node on the server; Next must not bundle them.
  serverExternalPackages: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg', '@prisma/adapter-pg'],
  poweredByHeader: false,
  typedRoutes: false,
  // The build checks the app's own code; `npm test` type-checks everything (emulator, Worker, tests).
  typescript: { tsconfigPath: 'tsconfig.app.json' },
  // Security headers on every answer (docs/security.md). Pages get their Content-Security-Policy, with a
  // nonce per request, from proxy.ts; the API answers only JSON and files, so it gets the strictest one.
  // HSTS is for the TLS terminator in front of certfleet (docs/deploy.md), not for plain-HTTP local use.
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'; sandbox" }] },
    ];
  },
};

const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
];
export default nextConfig;

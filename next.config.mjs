/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite and the Cloudflare SDK run in Node on the server; Next must not bundle them.
  serverExternalPackages: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg', '@prisma/adapter-pg'],
  poweredByHeader: false,
  typedRoutes: false,
  // The build checks the app's own code; `npm test` type-checks everything (emulator, Worker, tests).
  typescript: { tsconfigPath: 'tsconfig.app.json' },
};
export default nextConfig;

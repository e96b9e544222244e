/**
 * `npm start`: the whole product on this machine. Migrates and (when empty) seeds the database,
 * starts the local Cloudflare (API, mTLS edge, Worker in workerd) unless CLOUDFLARE_API_TOKEN and
 * CLOUDFLARE_ZONE_ID name a real zone, builds the app when its build is stale, serves it on loopback,
 * simulates the demo fleet and pulls its readings. Ctrl-C stops every part.
 *
 *   npm start            production build on http://127.0.0.1:3000
 *   npm run dev          the same with `next dev` (hot reload)
 */
import { resolve } from 'node:path';
import { DEMO_USERS, DEMO_PASSWORD } from '@/lib/auth/demo-users';
import { buildIfStale } from './lib/build';
import { startCloudflareTarget, seedDemoFleet, startBackground } from './lib/fleet';
import { openDatabase, sessionSecret, startNext, createPrismaClient } from './lib/stack';
import { portInUse } from './lib/processes';

const root = resolve(new URL('..', import.meta.url).pathname);
const dev = process.argv.includes('--dev');
const dataDir = resolve(root, process.env.CERTFLEET_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 3000);

const stops: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\n[certfleet] stopping…');
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => console.error('[certfleet] while stopping:', error));
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function main(): Promise<void> {
  if (await portInUse(port)) throw new Error(`port ${port} is taken: stop what uses it or set PORT=…`);

  const t0 = Date.now();
  console.log(`[certfleet] data directory ${dataDir}`);
  const database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    pgliteDir: resolve(dataDir, 'pglite'),
    pglitePort: Number(process.env.CERTFLEET_PGLITE_PORT ?? 0),
  });
  stops.push(database.stop);
  console.log(`[certfleet] database ${database.embedded ? 'embedded PGlite (.data/pglite)' : 'PostgreSQL from DATABASE_URL'}, migrated`);

  const cloudflare = await startCloudflareTarget({ dataDir });
  stops.push(cloudflare.stop);

  const prisma = createPrismaClient(database.url);
  stops.push(() => prisma.$disconnect());
  const seeded = await seedDemoFleet(prisma, cloudflare, dataDir);
  if (seeded) console.log(`[certfleet] seeded ${seeded}`);

  if (!dev && (await buildIfStale(root))) console.log('[certfleet] app built');

  const env = { DATABASE_URL: database.url, NEXTAUTH_SECRET: sessionSecret(dataDir), ...cloudflare.env };
  const next = await startNext({ port, dev, env });
  stops.push(next.stop);
  next.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`[certfleet] the app exited (${code}); stopping`);
      void shutdown(1);
    }
  });

  const background = await startBackground(prisma, cloudflare, dataDir);
  stops.push(background.stop);

  console.log(`
  certfleet is running (${((Date.now() - t0) / 1000).toFixed(1)} s)

    Dashboard   ${next.url}
    Cloudflare  ${cloudflare.describe}
${cloudflare.lines.map((l) => `    ${l}`).join('\n')}

  Demo logins (password: ${DEMO_PASSWORD})
${DEMO_USERS.map((u) => `    ${u.role.padEnd(8)} ${u.email}`).join('\n')}

  Ctrl-C stops everything.
`);
}

main().catch(async (error: unknown) => {
  console.error('[certfleet] could not start:', error instanceof Error ? error.message : error);
  await shutdown(1);
});

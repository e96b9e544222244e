/**
 * The e2e web server (started by Playwright, see playwright.config.ts): a whole throwaway certfleet.
 * A fresh database (in-memory PGlite, or a new database on DATABASE_URL's server), a local Cloudflare
 * in a temporary directory on free ports, the seeded demo fleet with certificates issued through it,
 * the simulated fleet and the scheduled jobs, and `next start` (or `next dev` with E2E_DEV=1).
 * Writes .test-data/e2e-stack.json for the specs (e2e/stack.ts). Never touches `.data/`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestDatabase } from '@/lib/testing/test-db';
import { STACK_FILE, type E2EStack } from '@/e2e/stack';
import { seedDemoFleet, startBackground, startCloudflareTarget } from './lib/fleet';
import { startNext } from './lib/stack';
import { persistentSecret } from './lib/secrets';

const port = Number(process.env.E2E_PORT ?? 3100);
const stops: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error('[e2e-server] stopping:', e));
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function main(): Promise<void> {
  const t0 = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'certfleet-e2e-'));
  stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));

  // The real Cloudflare is never the target of a test run, whatever the shell has exported.
  for (const key of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ZONE_ID', 'CLOUDFLARE_BASE_URL', 'WORKER_EXPORT_URL', 'WORKER_EXPORT_TOKEN']) delete process.env[key];

  const database = await createTestDatabase();
  stops.push(database.stop);

  // A short revocation delay keeps the "pending → revoked" step visible without slowing the specs.
  const cloudflare = await startCloudflareTarget({ dataDir, apiPort: 0, edgePort: 0, revocationDelayMs: 3_000 });
  stops.push(cloudflare.stop);
  const local = cloudflare.local!;

  const seeded = await seedDemoFleet(database.prisma, cloudflare, dataDir);
  console.log(`[e2e-server] seeded ${seeded}`);

  const background = await startBackground(database.prisma, cloudflare, dataDir, { everyMs: 10_000, log: () => {} });
  stops.push(background.stop);

  const secret = persistentSecret(join(dataDir, 'secrets', 'nextauth-secret'));
  const next = await startNext({
    port,
    dev: process.env.E2E_DEV === '1',
    quiet: true,
    env: { DATABASE_URL: database.url, NEXTAUTH_SECRET: secret, ...cloudflare.env },
  });
  stops.push(next.stop);

  const stack: E2EStack = {
    baseURL: next.url,
    databaseUrl: database.url,
    dataDir,
    cloudflare: {
      apiBaseUrl: local.apiBaseUrl,
      origin: local.origin,
      zoneId: local.zoneId,
      apiToken: local.apiToken,
      zoneCaFile: local.caFiles.zone,
      publicCaFile: local.caFiles.public,
    },
    edge: { url: cloudflare.deviceUrl!, caFile: local.caFiles.public },
    worker: { exportUrl: cloudflare.env.WORKER_EXPORT_URL!, exportToken: cloudflare.env.WORKER_EXPORT_TOKEN! },
  };
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack, null, 2));
  console.log(`[e2e-server] ready on ${next.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch(async (error: unknown) => {
  console.error('[e2e-server] could not start:', error);
  await shutdown(1);
});

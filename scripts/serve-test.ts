/**
 * The e2e web server (started by Playwright, see playwright.config.ts): a whole throwaway certfleet.
 * A fresh database (in-memory PGlite, or a new database on DATABASE_URL's server), a local Cloudflare
 * in a temporary directory on free ports, the seeded demo fleet with certificates issued through it,
 * the simulated fleet, a job worker (alert evaluation every 10 s) with a mail catcher for the demo's
 * alert channel, a local OpenID Connect provider the app offers single sign-on through (e2e/oidc.spec.ts),
 * and `next start` (or `next dev` with E2E_DEV=1). E2E_FLEET=N also generates a fleet of N devices beside the demo's
 * (lib/db/scale-fleet.ts, as `npm start -- --fleet N` does) before the app starts: the browse benchmark (bench/browse.ts).
 * Writes .test-data/e2e-stack.json for the specs (e2e/stack.ts). Never touches `.data/`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { fleetSizes, generateFleet } from '@/lib/db/scale-fleet';
import { createTestDatabase } from '@/lib/testing/test-db';
import { STACK_FILE, type E2EStack } from '@/e2e/stack';
import { seedDemoAlerts } from './lib/demo-alerts';
import { seedDemoFleet, startBackground, startCloudflareTarget } from './lib/fleet';
import { startMailCatcher } from './lib/mail-catcher';
import { startDevOidcProvider } from './lib/oidc-dev-provider';
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
  // This process's own database calls (the Cloudflare rate budget the seeding draws from) go to the run's
  // database, not to the server DATABASE_URL named only to make it.
  process.env.DATABASE_URL = database.url;

  // A short revocation delay keeps the "pending → revoked" step visible without slowing the specs.
  const cloudflare = await startCloudflareTarget({ dataDir, apiPort: 0, edgePort: 0, revocationDelayMs: 3_000 });
  stops.push(cloudflare.stop);
  const local = cloudflare.local!;

  const seeded = await seedDemoFleet(database.prisma, cloudflare, dataDir);
  console.log(`[e2e-server] seeded ${seeded}`);
  const fleet = Number(process.env.E2E_FLEET ?? 0);
  if (fleet > 0) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await generateFleet(client, fleetSizes(fleet), (line) => console.log(`[e2e-server] fleet: ${line}`));
    } finally {
      await client.end();
    }
  }

  const mail = await startMailCatcher({ dir: join(dataDir, 'mail') });
  stops.push(mail.stop);
  await seedDemoAlerts(database.prisma, { smtpPort: mail.smtpPort });

  const secret = persistentSecret(join(dataDir, 'secrets', 'nextauth-secret'));
  // Alerts are evaluated every 10 s here (a minute by default), so specs see them raised promptly.
  process.env.CERTFLEET_JOB_EVERY ||= 'evaluate-alerts=10s';
  const background = await startBackground({
    prisma: database.prisma,
    databaseUrl: database.url,
    cloudflare,
    dataDir,
    env: { NEXTAUTH_SECRET: secret, CERTFLEET_PUBLIC_URL: `http://127.0.0.1:${port}` },
    simulateEveryMs: 10_000,
    log: () => {},
  });
  stops.push(background.stop);
  // Whatever single sign-on the shell configured, the app signs in through the stack's own provider.
  const oidc = await startDevOidcProvider({ appUrl: `http://127.0.0.1:${port}` });
  stops.push(oidc.stop);
  const appEnv = { DATABASE_URL: database.url, NEXTAUTH_SECRET: secret, CERTFLEET_PASSWORD_SIGNIN: 'on', ...cloudflare.env, ...oidc.env };
  const next = await startNext({ port, dev: process.env.E2E_DEV === '1', quiet: true, env: appEnv });
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
    mail: { inboxUrl: mail.inboxUrl, smtpPort: mail.smtpPort },
    oidc: { issuer: oidc.issuer, name: oidc.env.OIDC_NAME!, accounts: oidc.accounts.map(({ login, password, email, groups }) => ({ login, password, email, groups })) },
    appEnv: { ...appEnv, CERTFLEET_JOB_EVERY: process.env.CERTFLEET_JOB_EVERY ?? '', CERTFLEET_PUBLIC_URL: next.url },
  };
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, JSON.stringify(stack, null, 2));
  console.log(`[e2e-server] ready on ${next.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch(async (error: unknown) => {
  console.error('[e2e-server] could not start:', error);
  await shutdown(1);
});

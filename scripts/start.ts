/**
 * `npm start`: the whole product on this machine. Migrates and (when empty) seeds the database,
 * starts the local Cloudflare (API, mTLS edge, Worker in workerd) unless CLOUDFLARE_API_TOKEN and
 * CLOUDFLARE_ZONE_ID name a real zone, builds the app when its build is stale, serves it on loopback,
 * runs a job worker (the scheduled jobs, alerts) and a mail catcher for the alerts' email, and
 * simulates the demo fleet (whose sensors renew their certificates through EST when due). Unless OIDC_ISSUER names a real identity provider (or CERTFLEET_OIDC_DEMO=off),
 * a local OpenID Connect provider with demo accounts offers single sign-on beside the password form.
 * Ctrl-C stops every part.
 *
 *   npm start            production build on http://127.0.0.1:3000
 *   npm run dev          the same with `next dev` (hot reload)
 *   npm start -- --fleet 100000
 *                        the same with a generated fleet of that many devices beside the demo's (lib/db/scale-fleet.ts),
 *                        to see the screens at fleet size; best in a data directory of its own
 *                        (CERTFLEET_DATA_DIR=.data-scale), as the generated certificates exist only in certfleet's database
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { DEMO_USERS, DEMO_PASSWORD } from '@/lib/auth/demo-users';
import { readAuthConfig, roleFromClaims } from '@/lib/auth/sso-config';
import { fleetSizes, generatedFleetSize, generateFleet } from '@/lib/db/scale-fleet';
import { buildIfStale } from './lib/build';
import { seedDemoAlerts } from './lib/demo-alerts';
import { startCloudflareTarget, seedDemoFleet, startBackground } from './lib/fleet';
import { startMailCatcher } from './lib/mail-catcher';
import { startDevOidcProvider, type DevOidcProvider } from './lib/oidc-dev-provider';
import { openDatabase, sessionSecret, startNext, createPrismaClient } from './lib/stack';
import { portInUse } from './lib/processes';

const root = resolve(new URL('..', import.meta.url).pathname);
const dev = process.argv.includes('--dev');
const dataDir = resolve(root, process.env.CERTFLEET_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 3000);
const fleet = fleetOption(process.argv.slice(2));

/** `--fleet N` (or `--fleet=N`; `--fleet` alone is 100,000): how many devices to generate, or 0. */
function fleetOption(args: string[]): number {
  const at = args.findIndex((a) => a === '--fleet' || a.startsWith('--fleet='));
  if (at < 0) return 0;
  const raw = args[at]!.includes('=') ? args[at]!.split('=')[1]! : /^\d[\d_,]*$/.test(args[at + 1] ?? '') ? args[at + 1]! : '100000';
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    console.error(`[certfleet] --fleet takes a number of devices from 1 to 1,000,000, not "${raw}"`);
    process.exit(2);
  }
  return n;
}

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
  // This process calls Cloudflare too (seeding): its rate budget lives in this database, like the app's.
  process.env.DATABASE_URL = database.url;
  console.log(`[certfleet] database ${database.embedded ? `embedded PGlite (${resolve(dataDir, 'pglite')})` : 'PostgreSQL from DATABASE_URL'}, migrated`);

  // Cloudflare keeps a revocation pending for a while before the edge refuses the certificate; locally a
  // minute, so a person who revoked the wrong device has time to read the result and press Undo.
  const cloudflare = await startCloudflareTarget({ dataDir, revocationDelayMs: Number(process.env.CLOUDFLARE_EMULATOR_REVOCATION_DELAY_MS || 60_000) });
  stops.push(cloudflare.stop);

  const prisma = createPrismaClient(database.url);
  stops.push(() => prisma.$disconnect());
  const seeded = await seedDemoFleet(prisma, cloudflare, dataDir);
  if (seeded) console.log(`[certfleet] seeded ${seeded}`);
  if (fleet) await seedGeneratedFleet(database.url, fleet);

  const mail = await startMailCatcher({
    dir: resolve(dataDir, 'mail'),
    smtpPort: Number(process.env.CERTFLEET_MAIL_PORT ?? 0),
    httpPort: Number(process.env.CERTFLEET_MAIL_UI_PORT ?? 0),
  });
  stops.push(mail.stop);
  const alerts = await seedDemoAlerts(prisma, { smtpPort: mail.smtpPort });
  if (alerts) console.log(`[certfleet] seeded ${alerts}`);

  if (!dev && (await buildIfStale(root))) console.log('[certfleet] app built');

  const sso = await startDemoSso();
  if (sso) stops.push(sso.stop);
  const env = { DATABASE_URL: database.url, NEXTAUTH_SECRET: sessionSecret(dataDir), CERTFLEET_PUBLIC_URL: `http://127.0.0.1:${port}`, ...cloudflare.env, ...sso?.env };
  // The app would refuse to start on a broken sign-in setting; say so here, before it is spawned.
  readAuthConfig({ ...process.env, ...env });
  const next = await startNext({ port, dev, env });
  stops.push(next.stop);
  next.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`[certfleet] the app exited (${code}); stopping`);
      void shutdown(1);
    }
  });

  const background = await startBackground({ prisma, databaseUrl: database.url, cloudflare, dataDir, env, renewals: true });
  stops.push(background.stop);

  console.log(`
  certfleet is running (${((Date.now() - t0) / 1000).toFixed(1)} s)

    Dashboard   ${next.url}
    Cloudflare  ${cloudflare.describe}
${cloudflare.lines.map((l) => `    ${l}`).join('\n')}
    Mail        ${mail.inboxUrl}  (alerts sent by email land here; SMTP 127.0.0.1:${mail.smtpPort})
    Jobs        worker ${background.worker.id} (queue in PostgreSQL; more with \`npm run worker\`)
${cloudflare.mode === 'local' ? '    Renewals    the demo sensors renew themselves through EST 30 days before expiry (see /est)\n' : ''}
  Demo logins (password: ${DEMO_PASSWORD})
${DEMO_USERS.map((u) => `    ${u.role.padEnd(8)} ${u.email}`).join('\n')}
${sso ? ssoLines(sso) : ''}
  Ctrl-C stops everything.
`);
}

/** Adds the generated fleet of `--fleet N` unless the database holds it already; refuses another size. */
async function seedGeneratedFleet(url: string, devices: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const have = await generatedFleetSize(client);
    if (have === devices) {
      console.log(`[certfleet] generated fleet of ${devices.toLocaleString('en')} devices found`);
      return;
    }
    if (have) throw new Error(`the database holds a generated fleet of ${have.toLocaleString('en')} devices, not ${devices.toLocaleString('en')}: use another CERTFLEET_DATA_DIR`);
    const started = Date.now();
    await generateFleet(client, fleetSizes(devices), (line) => console.log(`[certfleet] fleet: ${line}`));
    console.log(`[certfleet] generated a fleet of ${devices.toLocaleString('en')} devices in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await client.end();
  }
}

/**
 * The local OpenID provider with demo accounts, on CERTFLEET_OIDC_PORT (default 8790: a fixed port, so the
 * issuer, which SSO users are linked to, stays the same from one start to the next). Not started when
 * OIDC_ISSUER names a real provider, when CERTFLEET_OIDC_DEMO=off, or when the port is taken (said so).
 */
async function startDemoSso(): Promise<DevOidcProvider | null> {
  if (process.env.OIDC_ISSUER?.trim() || process.env.CERTFLEET_OIDC_DEMO === 'off') return null;
  const ssoPort = Number(process.env.CERTFLEET_OIDC_PORT ?? 8790);
  if (await portInUse(ssoPort)) {
    console.log(`[certfleet] single sign-on demo not started: port ${ssoPort} is taken (set CERTFLEET_OIDC_PORT=…)`);
    return null;
  }
  return startDevOidcProvider({ appUrl: `http://127.0.0.1:${port}`, port: ssoPort });
}

function ssoLines(sso: DevOidcProvider): string {
  const config = readAuthConfig(sso.env).sso!;
  const passwords = [...new Set(sso.accounts.map((a) => a.password))].join(', ');
  return `
  Single sign-on: "Sign in with ${sso.env.OIDC_NAME}" (local OpenID provider ${sso.issuer}, password: ${passwords})
${sso.accounts.map((a) => `    ${(roleFromClaims({ groups: a.groups }, config) ?? 'refused').padEnd(8)} ${a.login.padEnd(7)} groups ${a.groups.join(', ')}`).join('\n')}
`;
}

main().catch(async (error: unknown) => {
  console.error('[certfleet] could not start:', error instanceof Error ? error.message : error);
  await shutdown(1);
});

/**
 * `npm run emulator`: the local Cloudflare on its own, for curl, the SDK, terraform or a device.
 *   CLOUDFLARE_EMULATOR_PORT (8788)   REST API port
 *   CLOUDFLARE_EDGE_PORT (8443)       mTLS edge port (--no-edge to skip it)
 *   CLOUDFLARE_ZONE_ID / CLOUDFLARE_API_TOKEN   used when given, else made on first start and kept
 *   CERTFLEET_DATA_DIR (.data)        state under <dir>/emulator
 *   CLOUDFLARE_EMULATOR_REVOCATION_DELAY_MS, CLOUDFLARE_EMULATOR_QUOTA,
 *   CLOUDFLARE_EMULATOR_RATE_LIMIT (requests per 5 minutes, or "off")
 * Flags: --port N, --edge-port N, --no-edge, --data-dir DIR, --quiet (no request log)
 */
import { startLocalCloudflare } from './index';
import { emulatorDataDir } from './data-dir';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string) => process.argv.includes(`--${name}`);

function intEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  // One directory per zone: another zone from the same checkout never rewrites the running stack's state.
  const dataDir = flag('data-dir') ?? emulatorDataDir(process.env.CERTFLEET_DATA_DIR || '.data', process.env.CLOUDFLARE_ZONE_ID || undefined);
  const apiPort = Number(flag('port') ?? intEnv('CLOUDFLARE_EMULATOR_PORT') ?? 8788);
  const edgePort = has('no-edge') ? undefined : Number(flag('edge-port') ?? intEnv('CLOUDFLARE_EDGE_PORT') ?? 8443);
  const rl = process.env.CLOUDFLARE_EMULATOR_RATE_LIMIT;
  const quiet = has('quiet');

  const lc = await startLocalCloudflare({
    dataDir,
    apiPort,
    edgePort,
    zoneId: process.env.CLOUDFLARE_ZONE_ID || undefined,
    apiToken: process.env.CLOUDFLARE_API_TOKEN || undefined,
    revocationDelayMs: intEnv('CLOUDFLARE_EMULATOR_REVOCATION_DELAY_MS'),
    reactivationDelayMs: intEnv('CLOUDFLARE_EMULATOR_REVOCATION_DELAY_MS'),
    clientCertificateQuota: intEnv('CLOUDFLARE_EMULATOR_QUOTA'),
    rateLimit: rl === 'off' ? null : rl ? { limit: Number(rl) } : undefined,
    log: quiet ? undefined : (line) => console.log(line),
  });

  const out = [
    '',
    'Local Cloudflare is running (an emulator of the API Shield client-certificate and custom-CSR API).',
    '',
    `  API base URL   ${lc.apiBaseUrl}`,
    `  Zone ID        ${lc.zoneId}`,
    `  API token      ${lc.apiToken}`,
    `  Email + key    ${lc.apiEmail} / ${lc.apiKey}`,
    `  Account ID     ${lc.accountId}`,
    `  Client CA      ${lc.caFiles.zone}   (also GET ${lc.origin}/emulator/ca/zone.pem)`,
    `  Public CA      ${lc.caFiles.public}   (also GET ${lc.origin}/emulator/ca/public.pem)`,
    lc.edge ? `  mTLS edge      ${lc.edge.url}` : '  mTLS edge      not started',
    `  Data           ${lc.dataDir}`,
    '',
    'Try it:',
    `  curl -s -H "Authorization: Bearer ${lc.apiToken}" ${lc.apiBaseUrl}/zones/${lc.zoneId}/client_certificates`,
    `  CLOUDFLARE_BASE_URL=${lc.apiBaseUrl} CLOUDFLARE_API_TOKEN=${lc.apiToken} CLOUDFLARE_ZONE_ID=${lc.zoneId} npm run dev`,
    '  npm run emulator:sign -- customer.csr   (sign a custom CSR with the public CA)',
    '',
    'Ctrl-C stops it; state is kept for the next start.',
    '',
  ];
  console.log(out.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local Cloudflare…`);
    lc.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') {
    console.error(`Port already in use (${err.message}). Is another emulator running? Set CLOUDFLARE_EMULATOR_PORT / CLOUDFLARE_EDGE_PORT or use --port.`);
  } else {
    console.error(e);
  }
  process.exit(1);
});

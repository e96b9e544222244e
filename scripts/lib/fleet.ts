import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator/index';
import { createCloudflareGateway, readCloudflareConfig, type CloudflareGateway } from '@/lib/cloudflare';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import { DEMO_FLEET, demoTemperature } from '@/lib/demo/fleet';
import { simulateFleet, type DeviceCredentials } from '@/lib/devices/simulator';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { generateKeyAndCsr } from '@/lib/pki';
import { seedDemo, type SeedDevice } from '@/prisma/seed';
import { persistentSecret } from './secrets';
import { type JobWorker, parseJobIntervals, startJobWorker } from '@/lib/queue/worker';
import { emulatorDataDir } from '@/emulator/data-dir';
import { demoDeviceCredentials, ensureDemoEstPolicies, renewThroughEst } from './demo-renewals';

/** The hostname demo devices reach the local edge by; the demo zone asks it for client certificates. */
export const DEMO_DEVICE_HOST = 'localhost';

export interface CloudflareRuntime {
  mode: 'local' | 'real';
  /** Environment for the app process (API target, edge, Worker export API, CA files). */
  env: Record<string, string>;
  /** One line for the banner. */
  describe: string;
  lines: string[];
  gateway: CloudflareGateway;
  local?: LocalCloudflare;
  /** Where demo devices post (local mode). */
  deviceUrl?: string;
  edgeCaPem?: string;
  stop(): Promise<void>;
}

/**
 * The real API when CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID are set (and CLOUDFLARE_BASE_URL,
 * if any, is not loopback); otherwise the local Cloudflare: API, mTLS edge and Worker in workerd.
 */
export async function startCloudflareTarget(opts: {
  dataDir: string;
  apiPort?: number;
  edgePort?: number;
  revocationDelayMs?: number;
  log?: (line: string) => void;
}): Promise<CloudflareRuntime> {
  const real = process.env.CLOUDFLARE_API_TOKEN && process.env.CLOUDFLARE_ZONE_ID && !process.env.CLOUDFLARE_BASE_URL?.match(/\/\/(127\.|localhost|\[::1\])/);
  if (real) {
    const config = readCloudflareConfig();
    const env: Record<string, string> = {};
    for (const key of ['WORKER_EXPORT_URL', 'WORKER_EXPORT_TOKEN', 'CERTFLEET_EDGE_URL', 'CERTFLEET_ZONE_CA_FILE']) {
      if (process.env[key]) env[key] = process.env[key]!;
    }
    return {
      mode: 'real',
      env,
      describe: `real API (${config.baseUrl ?? 'api.cloudflare.com'}), zone ${config.zoneId}`,
      lines: env.WORKER_EXPORT_URL ? [`Worker      ${env.WORKER_EXPORT_URL}`] : ['Worker      set WORKER_EXPORT_URL + WORKER_EXPORT_TOKEN to pull readings'],
      gateway: createCloudflareGateway(config, { priority: 'bulk' }),
      stop: async () => {},
    };
  }

  const exportToken = process.env.WORKER_EXPORT_TOKEN || persistentSecret(join(opts.dataDir, 'secrets', 'worker-export-token'));
  const local = await startLocalCloudflare({
    dataDir: emulatorDataDir(opts.dataDir, process.env.CLOUDFLARE_ZONE_ID || undefined),
    apiPort: opts.apiPort ?? Number(process.env.CLOUDFLARE_EMULATOR_PORT ?? 8788),
    edgePort: opts.edgePort ?? Number(process.env.CLOUDFLARE_EDGE_PORT ?? 8443),
    zoneId: process.env.CLOUDFLARE_ZONE_ID || undefined,
    apiToken: process.env.CLOUDFLARE_API_TOKEN || undefined,
    revocationDelayMs: opts.revocationDelayMs,
    edge: { exportToken, workerOutput: 'ignore' },
    log: opts.log,
  });
  const edge = local.edge;
  if (!edge) throw new Error('the local Cloudflare started without its mTLS edge');
  const workerUrl = String((edge.worker as { url: string }).url);
  const edgeCaPem = readFileSync(local.caFiles.public, 'utf8');
  const deviceUrl = `https://${DEMO_DEVICE_HOST}:${edge.port}`;
  const env = {
    CLOUDFLARE_BASE_URL: local.apiBaseUrl,
    CLOUDFLARE_API_TOKEN: local.apiToken,
    CLOUDFLARE_ZONE_ID: local.zoneId,
    CERTFLEET_EMULATOR_ORIGIN: local.origin,
    CERTFLEET_EDGE_URL: deviceUrl,
    CERTFLEET_EDGE_CA_FILE: local.caFiles.public,
    CERTFLEET_ZONE_CA_FILE: local.caFiles.zone,
    CERTFLEET_DEVICE_KEYS_DIR: join(opts.dataDir, 'devices'),
    WORKER_EXPORT_URL: workerUrl,
    WORKER_EXPORT_TOKEN: exportToken,
  };
  return {
    mode: 'local',
    env,
    describe: `local (${local.apiBaseUrl}), zone ${local.zoneId}`,
    lines: [
      `mTLS edge   ${deviceUrl}  (Worker in workerd; curl --cacert ${local.caFiles.public} …)`,
      `CA files    ${local.caFiles.zone} (devices' CA), ${local.caFiles.public} (edge / "public" CA)`,
    ],
    // Seeding is a batch: it draws from the token's shared budget (in the database) at bulk priority.
    gateway: createCloudflareGateway({ apiToken: local.apiToken, zoneId: local.zoneId, baseUrl: local.apiBaseUrl }, { priority: 'bulk' }),
    local,
    deviceUrl,
    edgeCaPem,
    stop: () => local.stop(),
  };
}

/** Validity of demo certificates by position, so every expiry band has members. */
function demoValidityDays(index: number): number {
  return [5, 25, 80][index % 12] ?? (index % 2 ? 3650 : 365);
}

/**
 * Seeds an empty database with the demo (users, fleet, a week of readings). In local mode each demo
 * device gets a real certificate issued through the local Cloudflare's API, and its key and
 * certificate are kept under `<dataDir>/devices/` so the simulator can post as it.
 * @returns a summary line, or undefined when the database was seeded already.
 */
export async function seedDemoFleet(prisma: PrismaClient, cloudflare: CloudflareRuntime, dataDir: string): Promise<string | undefined> {
  const keysDir = join(dataDir, 'devices');
  let index = 0;
  const issueCertificate =
    cloudflare.mode === 'local'
      ? async (device: SeedDevice) => {
          mkdirSync(keysDir, { recursive: true });
          const { csrPem, privateKeyPem } = await generateKeyAndCsr({
            algorithm: 'EC',
            subject: { CN: device.commonName, O: 'certfleet demo', OU: device.group },
          });
          const issued = await cloudflare.gateway.issueClientCertificate({ csr: csrPem, validityDays: demoValidityDays(index++) });
          await prisma.$transaction(async (tx) => {
            await recordIssuedCertificate(tx, issued, { deviceId: device.id, source: 'SEED' });
            await tx.auditEvent.create({
              data: {
                actorEmail: 'system:seed',
                action: 'certificate.issue',
                targetType: 'device',
                targetId: device.id,
                targetLabel: device.name,
                details: { cloudflareId: issued.id, serialNumber: issued.serialNumber, fingerprintSha256: issued.fingerprintSha256 },
              },
            });
          });
          writeFileSync(join(keysDir, `${issued.fingerprintSha256}.key.pem`), privateKeyPem, { mode: 0o600 });
          writeFileSync(join(keysDir, `${issued.fingerprintSha256}.cert.pem`), issued.certificatePem);
          return { fingerprint: issued.fingerprintSha256 };
        }
      : undefined;

  const result = await seedDemo(prisma, { issueCertificate });
  if (!result.seeded) return undefined;
  if (cloudflare.mode === 'local') {
    // Devices reach the edge as `localhost`; ask for (and enforce) client certificates there.
    const hosts = await cloudflare.gateway.getHostnameAssociations();
    if (!hosts.includes(DEMO_DEVICE_HOST)) await cloudflare.gateway.updateHostnameAssociations([...hosts, DEMO_DEVICE_HOST]);
  }
  return `${result.users} users, ${result.devices} devices, ${result.certificates} certificates, ${result.readings} readings`;
}

/**
 * The demo devices to simulate: those that the demo shows as live (so the late, missing and silent ones stay
 * that way) and whose key this machine holds: in the device's own folder (scripts/lib/demo-renewals.ts), made
 * from its seeded certificate's files the first time.
 */
async function simulatedDemoDevices(prisma: PrismaClient, keysDir: string): Promise<DeviceCredentials[]> {
  const seeded = await prisma.certificate.findMany({
    where: { status: 'ACTIVE', source: 'SEED', device: { isCanary: false } },
    select: { fingerprintSha256: true, device: { select: { name: true } } },
  });
  const seededOf = new Map(seeded.map((c) => [c.device?.name, c.fingerprintSha256]));
  const live = DEMO_FLEET.filter((d) => d.health === 'live' && !d.inactive).map((d) => d.name);
  const devices = await Promise.all(live.map((name) => demoDeviceCredentials(keysDir, name, seededOf.get(name))));
  return devices.filter((d): d is DeviceCredentials => d !== undefined);
}

/**
 * What keeps running beside the app: the simulated demo fleet (local mode) posting through the
 * edge, and a job worker (lib/queue/worker.ts) running the scheduled jobs from the queue in
 * PostgreSQL, as `npm run worker` does in production.
 */
export async function startBackground(opts: {
  prisma: PrismaClient;
  databaseUrl: string;
  cloudflare: CloudflareRuntime;
  dataDir: string;
  /** For the worker: the session secret (opens channel secrets) and the app's URL (links in messages). */
  env: Record<string, string>;
  /** Seconds between the simulated devices' posts (default 30 s). */
  simulateEveryMs?: number;
  /** The simulated devices renew themselves through EST when due (npm start; scripts/lib/demo-renewals.ts). */
  renewals?: boolean;
  log?: (line: string) => void;
}): Promise<{ stop(): Promise<void>; worker: JobWorker }> {
  const { prisma, cloudflare, dataDir } = opts;
  const abort = new AbortController();
  // Every simulated device waits on this one signal.
  setMaxListeners(0, abort.signal);
  let simulation: Promise<unknown> = Promise.resolve();
  if (cloudflare.mode === 'local' && cloudflare.deviceUrl) {
    const keysDir = join(dataDir, 'devices');
    const devices = await simulatedDemoDevices(prisma, keysDir);
    if (opts.renewals) await ensureDemoEstPolicies(prisma, [...new Set(DEMO_FLEET.map((d) => d.group))]);
    const log = opts.log ?? ((line: string) => console.log(`[certfleet] ${line}`));
    simulation = simulateFleet({
      refresh: opts.renewals ? renewThroughEst({ baseUrl: cloudflare.deviceUrl, caPem: cloudflare.edgeCaPem, keysDir, log: (line) => log(`EST ${line}`) }) : undefined,
      onRefreshError: (device, _index, error) => log(`EST ${device.name}: ${error instanceof Error ? error.message : String(error)} (tried again at its next post)`),
      url: `${cloudflare.deviceUrl}/temps`,
      devices,
      everyMs: opts.simulateEveryMs ?? 30_000,
      caPem: cloudflare.edgeCaPem,
      signal: abort.signal,
      // Each demo sensor keeps drawing its group's curve, so live readings continue the seeded history.
      temperatureFor: (device, _index, at) => {
        const demo = DEMO_FLEET.find((d) => d.name === device.name);
        return demo ? demoTemperature(demo, at, at) : 20;
      },
    });
  }
  // lib/cloudflare and the jobs read their targets from the environment, as the app process does.
  Object.assign(process.env, cloudflare.env, opts.env);
  const worker = await startJobWorker({
    databaseUrl: opts.databaseUrl,
    prisma,
    everyMs: parseJobIntervals(process.env.CERTFLEET_JOB_EVERY),
    log: opts.log,
  });
  return {
    worker,
    stop: async () => {
      abort.abort();
      await worker.stop();
      await simulation;
    },
  };
}

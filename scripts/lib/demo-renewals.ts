/**
 * The demo fleet renews itself through EST (issue 16, docs/est.md), so that `npm start` shows renewals happening.
 *
 * Each simulated demo sensor keeps its certificate and key in a folder of its own, `<dataDir>/devices/<name>/`
 * (device.pem, device-key.pem: what `npm run device -- --est --dir` keeps), filled from the seeded files the first
 * time. Before each post it asks lib/est/device.ts whether its certificate is due (configured, like the demo groups'
 * policy, to renew 30 days before expiry); when it is, it sends simplereenroll through the local edge with its
 * current certificate, waits out the 202s while certfleet's est-sync job issues, and posts with the new certificate
 * from then on. The revoke-superseded job then revokes the old one. The seed gives some sensors 5- and 25-day
 * certificates, so a few renew within the first minute; an ADMIN sees them on /est and in the audit log.
 *
 * The demo groups' EST policy (renew in the last 30 days, new certificates valid 365 days) is set once, where a group
 * has none, by `system:demo`; an ADMIN may change it on /est like any other.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordAudit } from '@/lib/audit';
import type { DeviceCredentials, FleetOptions } from '@/lib/devices/simulator';
import { certFile, ensureCertificate, keyFile } from '@/lib/est/device';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/** When the demo renews and what it gets: 30 days before expiry, a certificate for a year. */
export const DEMO_RENEWAL = { withinDays: 30, validityDays: 365 } as const;

const DEMO_ACTOR = { id: null, email: 'system:demo' } as const;

/** Gives each of `groups` that has no EST policy the demo's; returns the groups it set. */
export async function ensureDemoEstPolicies(prisma: PrismaClient, groups: readonly string[]): Promise<string[]> {
  const have = new Set((await prisma.estPolicy.findMany({ where: { group: { in: [...groups] } }, select: { group: true } })).map((p) => p.group));
  const missing = groups.filter((g) => !have.has(g));
  for (const group of missing) {
    await prisma.$transaction(async (tx) => {
      const values = { windowMode: 'DAYS' as const, windowDays: DEMO_RENEWAL.withinDays, validityDays: DEMO_RENEWAL.validityDays };
      await tx.estPolicy.create({ data: { group, ...values, updatedByEmail: DEMO_ACTOR.email } });
      await recordAudit(tx, {
        actor: DEMO_ACTOR,
        action: 'est.policy.update',
        targetType: 'group',
        targetId: group,
        targetLabel: group,
        details: { changed: Object.keys(values), before: {}, after: values },
      });
    });
  }
  return missing;
}

/** The folder a demo sensor keeps its certificate and key in. */
export const demoDeviceDir = (keysDir: string, name: string) => join(keysDir, name);

/**
 * A demo sensor's credentials from its own folder; the first time, the folder is made from the seeded files of its
 * certificate (`<keysDir>/<fingerprint>.cert.pem` and `.key.pem`). Undefined when there is neither.
 */
export async function demoDeviceCredentials(keysDir: string, name: string, seededFingerprint?: string): Promise<DeviceCredentials | undefined> {
  const dir = demoDeviceDir(keysDir, name);
  if (!existsSync(certFile(dir))) {
    if (!seededFingerprint || !existsSync(join(keysDir, `${seededFingerprint}.key.pem`))) return undefined;
    await mkdir(dir, { recursive: true });
    // Key first, as the device writes them: a certificate without its key is unusable.
    await copyFile(join(keysDir, `${seededFingerprint}.key.pem`), keyFile(dir));
    await copyFile(join(keysDir, `${seededFingerprint}.cert.pem`), certFile(dir));
  }
  return { name, certPem: await readFile(certFile(dir), 'utf8'), keyPem: await readFile(keyFile(dir), 'utf8') };
}

/**
 * The simulator's `refresh`: the sensor renews through EST when its certificate is due and then posts with the new
 * one. `baseUrl` is the edge devices reach (https://localhost:port), `caPem` the edge's TLS CA.
 */
export function renewThroughEst(opts: {
  baseUrl: string;
  caPem?: string;
  keysDir: string;
  headers?: Record<string, string>;
  log?: (line: string) => void;
}): NonNullable<FleetOptions['refresh']> {
  return async (device, _index, signal) => {
    const dir = demoDeviceDir(opts.keysDir, device.name!);
    const outcome = await ensureCertificate({
      baseUrl: opts.baseUrl,
      dir,
      caPem: opts.caPem,
      headers: opts.headers,
      renewWithinDays: DEMO_RENEWAL.withinDays,
      // The job answers within a run or two; a renewal that takes longer is tried again at the next post.
      maxWaitMs: 10 * 60_000,
      signal,
      log: (line) => opts.log?.(`${device.name}: ${line}`),
    });
    if (outcome !== 'renewed') return undefined;
    return { name: device.name, certPem: await readFile(certFile(dir), 'utf8'), keyPem: await readFile(keyFile(dir), 'utf8') };
  };
}

// Rows the readings tests need, with only the fields the readings code reads filled meaningfully.
// Shared by the vitest suites of lib/readings and lib/data/readings, and by the alert tests' factories
// (lib/alerts/testing/factories.ts); not shipped: nothing imports it but tests.

import { randomBytes } from 'node:crypto';
import type { CertificateStatus, PrismaClient } from '@/lib/generated/prisma/client';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(3).toString('hex')}`;

export function randomFingerprint(): string {
  return randomBytes(32).toString('hex');
}

export async function createTestDevice(
  prisma: PrismaClient,
  data: { name?: string; group?: string; reportIntervalSec?: number; minTemperature?: number | null; maxTemperature?: number | null; lastSeenAt?: Date | null } = {},
) {
  const name = data.name ?? `dev-${unique()}`;
  return prisma.device.create({
    data: {
      name,
      group: data.group ?? 'test-group',
      commonName: name,
      reportIntervalSec: data.reportIntervalSec ?? 60,
      minTemperature: data.minTemperature ?? null,
      maxTemperature: data.maxTemperature ?? null,
      lastSeenAt: data.lastSeenAt ?? null,
    },
  });
}

export async function createTestCertificate(
  prisma: PrismaClient,
  data: {
    deviceId: string | null;
    fingerprint?: string;
    status?: CertificateStatus;
    issuedOn?: Date;
    revokedAt?: Date | null;
    supersededAt?: Date | null;
    source?: 'SEED' | 'RECONCILED';
    missingAtCloudflareAt?: Date | null;
  },
) {
  const id = unique();
  const issuedOn = data.issuedOn ?? new Date(Date.now() - 86_400_000);
  return prisma.certificate.create({
    data: {
      cloudflareId: `cf-${id}`,
      deviceId: data.deviceId,
      serialNumber: randomBytes(16).toString('hex').toUpperCase(),
      ski: randomBytes(20).toString('hex'),
      fingerprintSha256: data.fingerprint ?? randomFingerprint(),
      commonName: `cn-${id}`,
      keyType: 'ecdsa',
      keySize: 256,
      issuedOn,
      expiresOn: new Date(issuedOn.getTime() + 365 * 86_400_000),
      validityDays: 365,
      status: data.status ?? 'ACTIVE',
      source: data.source ?? 'SEED',
      pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
      csr: '',
      revokedAt: data.revokedAt ?? null,
      supersededAt: data.supersededAt ?? null,
      missingAtCloudflareAt: data.missingAtCloudflareAt ?? null,
    },
  });
}

/** Inserts readings directly (as the seed does), one per `stepMs` from `from`, temperatures from `temperature(i)`. */
export async function insertReadings(
  prisma: PrismaClient,
  opts: { deviceId: string | null; fingerprint: string; from: Date; count: number; stepMs: number; temperature: (i: number) => number; receivedAt?: (t: Date) => Date },
): Promise<void> {
  const times: string[] = [];
  const received: string[] = [];
  const temps: number[] = [];
  for (let i = 0; i < opts.count; i++) {
    const t = new Date(opts.from.getTime() + i * opts.stepMs);
    times.push(t.toISOString());
    received.push((opts.receivedAt?.(t) ?? t).toISOString());
    temps.push(opts.temperature(i));
  }
  await prisma.$executeRaw`
    INSERT INTO "Reading" ("deviceId", "certificateFingerprint", "time", "temperature", "receivedAt")
    SELECT ${opts.deviceId}, ${opts.fingerprint}, r.at, r.temperature, r.received
      FROM unnest(${times}::timestamptz[], ${temps}::float8[], ${received}::timestamptz[]) AS r(at, temperature, received)`;
}

// Rows the alert tests need (not shipped: only tests and the benchmark import this).

import { randomBytes } from 'node:crypto';
import type { AlertCondition, Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { EmailConfig, WebhookFormat } from '../channel-config';
import { displayUrl } from '../channel-config';
import { seal } from '../secret-box';
import { createTestCertificate } from '@/lib/readings/test-factories';

let counter = 0;
export const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
const DAY = 86_400_000;

export async function device(prisma: PrismaClient, data: { group?: string; lastSeenAt?: Date | null; reportIntervalSec?: number; name?: string } = {}) {
  const name = data.name ?? `alert-dev-${unique()}`;
  return prisma.device.create({
    data: { name, group: data.group ?? 'alerts-test', commonName: name, lastSeenAt: data.lastSeenAt === undefined ? new Date() : data.lastSeenAt, reportIntervalSec: data.reportIntervalSec ?? 60 },
  });
}

/** A certificate (of `createTestCertificate`, a year's validity) that expires `expiresInDays` from now. */
export function certificate(prisma: PrismaClient, data: Omit<Parameters<typeof createTestCertificate>[1], 'issuedOn'> & { expiresInDays: number }) {
  const { expiresInDays, ...rest } = data;
  return createTestCertificate(prisma, { ...rest, issuedOn: new Date(Date.now() + (expiresInDays - 365) * DAY) });
}

export async function emailChannel(prisma: PrismaClient, smtpPort: number, data: { digest?: boolean; name?: string; to?: string[] } = {}) {
  const config: EmailConfig = { host: '127.0.0.1', port: smtpPort, security: 'none', username: null, from: 'certfleet@test.local', to: data.to ?? ['ops@test.local'] };
  return prisma.alertChannel.create({ data: { name: data.name ?? `email-${unique()}`, kind: 'EMAIL', config: { ...config }, digest: data.digest ?? false, digestHourUtc: 0 } });
}

export async function webhookChannel(prisma: PrismaClient, url: string, signingSecret: string, data: { format?: WebhookFormat; name?: string } = {}) {
  return prisma.alertChannel.create({
    data: {
      name: data.name ?? `hook-${unique()}`,
      kind: 'WEBHOOK',
      config: { urlDisplay: displayUrl(url), format: data.format ?? 'standard' },
      sealedSecret: seal({ url, signingSecret }),
    },
  });
}

export async function rule(
  prisma: PrismaClient,
  data: { condition: AlertCondition; params?: Prisma.InputJsonObject; group?: string | null; channelIds?: string[]; escalateAfterMinutes?: number | null; createdAt?: Date; notifyOnResolve?: boolean },
) {
  return prisma.alertRule.create({
    data: {
      name: `rule-${unique()}`,
      condition: data.condition,
      params: data.params ?? {},
      group: data.group ?? null,
      escalateAfterMinutes: data.escalateAfterMinutes ?? null,
      notifyOnResolve: data.notifyOnResolve ?? true,
      createdByEmail: 'admin@test.local',
      ...(data.createdAt ? { createdAt: data.createdAt } : {}),
      channels: { create: (data.channelIds ?? []).map((channelId) => ({ channelId })) },
    },
  });
}

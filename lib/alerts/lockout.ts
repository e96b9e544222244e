import type { PrismaClient } from '@/lib/generated/prisma/client';

/*
 * Cloudflare's rate-limit lock-out, as certfleet last saw it. Cloudflare allows 1,200 requests per
 * 5 minutes per token and answers the next one with 429 and a 5-minute block of every call. The shared
 * rate budget (lib/cloudflare/budget.ts) holds the lock-out itself (CloudflareRateBudget.lockedUntil,
 * whoever saw the 429); the job worker also notes here which job and operation met it, and the
 * CLOUDFLARE_LOCKOUT alert (lib/alerts/matchers.ts) reads both.
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */

export const LOCKOUT_SETTING = 'cloudflare.lockout';
/** Cloudflare's block lasts five minutes when it does not say. */
const DEFAULT_LOCKOUT_SECONDS = 300;

export interface CloudflareLockout {
  seenAt: string;
  until: string;
  operation: string | null;
  source: string;
}

export async function recordCloudflareLockout(
  prisma: PrismaClient,
  seen: { retryAfterSeconds?: number; operation?: string; source: string; at?: Date },
): Promise<CloudflareLockout> {
  const at = seen.at ?? new Date();
  const seconds = seen.retryAfterSeconds && seen.retryAfterSeconds > 0 ? seen.retryAfterSeconds : DEFAULT_LOCKOUT_SECONDS;
  const value: CloudflareLockout = {
    seenAt: at.toISOString(),
    until: new Date(at.getTime() + seconds * 1000).toISOString(),
    operation: seen.operation ?? null,
    source: seen.source,
  };
  await prisma.setting.upsert({ where: { key: LOCKOUT_SETTING }, create: { key: LOCKOUT_SETTING, value: { ...value } }, update: { value: { ...value } } });
  return value;
}

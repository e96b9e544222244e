import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Hosts certfleet keeps checking: every host mTLS was turned on for (through certfleet or seen
 * associated at Cloudflare). A host stays here after its association is removed, so the Overview
 * keeps flagging it red until someone deliberately stops watching it.
 */
export const WATCHED_HOSTS_KEY = 'mtls.watchedHosts';
/** The revoked canary certificate's Cloudflare id and private key (it proves nothing to anyone else: it is revoked). */
export const CANARY_KEY = 'mtls.canary';

export async function readWatchedHosts(db: Db): Promise<string[]> {
  const row = await db.setting.findUnique({ where: { key: WATCHED_HOSTS_KEY } });
  return Array.isArray(row?.value) ? (row.value as unknown[]).filter((h): h is string => typeof h === 'string') : [];
}

export async function writeWatchedHosts(db: Db, hosts: string[]): Promise<void> {
  const value = [...new Set(hosts)].sort();
  await db.setting.upsert({ where: { key: WATCHED_HOSTS_KEY }, create: { key: WATCHED_HOSTS_KEY, value }, update: { value } });
}

export interface CanaryRecord {
  cloudflareId: string;
  keyPem: string;
}

export async function readCanary(db: Db): Promise<CanaryRecord | null> {
  const row = await db.setting.findUnique({ where: { key: CANARY_KEY } });
  const v = row?.value as Partial<CanaryRecord> | null | undefined;
  return v && typeof v.cloudflareId === 'string' && typeof v.keyPem === 'string' ? { cloudflareId: v.cloudflareId, keyPem: v.keyPem } : null;
}

export async function writeCanary(db: Db, canary: CanaryRecord): Promise<void> {
  const value = { ...canary };
  await db.setting.upsert({ where: { key: CANARY_KEY }, create: { key: CANARY_KEY, value }, update: { value } });
}

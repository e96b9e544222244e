import 'server-only';
/**
 * Enrollment tokens for EST's simpleenroll (docs/est.md): an ADMIN makes one per device (or one per device of
 * a batch), the secret is shown once, and only its SHA-256 is kept here and pushed to the Worker, which spends
 * a use when it stores a request. A device sends it as HTTP Basic "<device name>:<secret>".
 */
import { createHash, randomBytes } from 'node:crypto';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { AppError } from '@/lib/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { EstPolicyValues } from '@/lib/validation/est-policy';
import { getEstPolicy } from './policy';

export const MIN_TOKEN_HOURS = 1;
/** Thirty days: a token is for a device about to be switched on, not a standing credential. */
export const MAX_TOKEN_HOURS = 30 * 24;
export const DEFAULT_TOKEN_HOURS = 72;
export const MAX_BATCH = 1000;

function bad(field: string, message: string): AppError {
  return new AppError('BAD_INPUT', message, { fieldErrors: { [field]: [message] } });
}

export function hashEnrollmentToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** 32 random bytes, base64url: no ':' (Basic's separator) and nothing a shell or URL mangles. */
export function newTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface CreatedToken {
  id: string;
  deviceId: string;
  deviceName: string;
  /** The secret, returned this once and stored nowhere. */
  token: string;
  expiresAt: Date;
  uses: number;
}

export interface CreateTokensInput {
  /** Device ids or names (a batch when several), or every device of `group` that has no active certificate yet. */
  deviceIds?: string[];
  deviceNames?: string[];
  group?: string;
  /** Hours each token is valid; absent: the lifetime the device's group policy sets (lib/est/policy.ts). */
  validHours?: number;
}

/**
 * Makes one token per device (a batch when several). Refuses unknown or decommissioned devices before
 * writing anything; all tokens and their audit events are one transaction.
 */
export async function createEnrollmentTokens(prisma: PrismaClient, actor: SessionUser, input: CreateTokensInput): Promise<CreatedToken[]> {
  assertCan(actor, 'device:enroll');
  if (input.validHours !== undefined && (!Number.isInteger(input.validHours) || input.validHours < MIN_TOKEN_HOURS || input.validHours > MAX_TOKEN_HOURS)) {
    throw bad('validHours', `Validity must be a whole number of hours from ${MIN_TOKEN_HOURS} to ${MAX_TOKEN_HOURS}.`);
  }
  let devices: { id: string; name: string; status: string; group: string }[];
  if (input.group !== undefined && input.group.trim()) {
    devices = await prisma.device.findMany({
      where: { group: input.group.trim(), status: { not: 'DECOMMISSIONED' }, certificates: { none: { status: 'ACTIVE' } } },
      select: { id: true, name: true, status: true, group: true },
      orderBy: { name: 'asc' },
      take: MAX_BATCH + 1,
    });
    if (devices.length === 0) {
      throw bad('group', `No device of group "${input.group.trim()}" is waiting for its first certificate.`);
    }
  } else if (input.deviceNames?.length) {
    const names = [...new Set(input.deviceNames.map((n) => n.trim()).filter(Boolean))];
    devices = await prisma.device.findMany({ where: { name: { in: names } }, select: { id: true, name: true, status: true, group: true } });
    const missing = names.filter((n) => !devices.some((d) => d.name === n));
    if (missing.length) throw bad('devices', `No device named ${missing.map((n) => `"${n}"`).join(', ')}.`);
  } else {
    const ids = [...new Set(input.deviceIds ?? [])];
    if (ids.length === 0) throw bad('devices', 'Name at least one device, or a group.');
    devices = await prisma.device.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, status: true, group: true } });
    const missing = ids.filter((id) => !devices.some((d) => d.id === id));
    if (missing.length) throw bad('deviceIds', `Unknown device: ${missing.join(', ')}.`);
  }
  if (devices.length > MAX_BATCH) throw bad('group', `At most ${MAX_BATCH} tokens at once.`);
  const gone = devices.filter((d) => d.status === 'DECOMMISSIONED');
  if (gone.length) throw bad('devices', `Decommissioned: ${gone.map((d) => d.name).join(', ')}.`);

  // Each group's policy sets its tokens' lifetime (a longer one asked for is refused) and use count.
  const policies = new Map<string, EstPolicyValues>();
  for (const g of new Set(devices.map((d) => d.group))) policies.set(g, await getEstPolicy(prisma, g));
  if (input.validHours !== undefined) {
    const stricter = [...policies].filter(([, p]) => input.validHours! > p.tokenHours);
    if (stricter.length) {
      throw bad('validHours', stricter.map(([g, p]) => `Group ${g}'s EST policy allows tokens of at most ${p.tokenHours} hours.`).join(' '));
    }
  }
  const now = Date.now();
  const made = devices.map((d) => {
    const p = policies.get(d.group)!;
    return { device: d, token: newTokenSecret(), expiresAt: new Date(now + (input.validHours ?? p.tokenHours) * 3_600_000), uses: p.tokenUses };
  });
  return prisma.$transaction(async (tx) => {
    const out: CreatedToken[] = [];
    for (const { device, token, expiresAt, uses } of made) {
      const row = await tx.enrollmentToken.create({
        data: { tokenHash: hashEnrollmentToken(token), deviceId: device.id, expiresAt, uses, createdByEmail: actor.email },
      });
      await recordAudit(tx, {
        actor,
        action: 'est.token.create',
        targetType: 'device',
        targetId: device.id,
        targetLabel: device.name,
        details: { tokenId: row.id, expiresAt: expiresAt.toISOString(), uses },
      });
      out.push({ id: row.id, deviceId: device.id, deviceName: device.name, token, expiresAt, uses });
    }
    return out;
  });
}

/** Revokes a token (pushed to the Worker by the next EST sync). */
export async function revokeEnrollmentToken(prisma: PrismaClient, actor: SessionUser, tokenId: string): Promise<void> {
  assertCan(actor, 'device:enroll');
  await prisma.$transaction(async (tx) => {
    const token = await tx.enrollmentToken.findUnique({ where: { id: tokenId } });
    if (!token) throw new AppError('NOT_FOUND', 'The enrollment token does not exist.');
    if (token.revokedAt) return;
    await tx.enrollmentToken.update({ where: { id: tokenId }, data: { revokedAt: new Date(), syncedAt: null } });
    const device = await tx.device.findUnique({ where: { id: token.deviceId }, select: { name: true } });
    await recordAudit(tx, {
      actor,
      action: 'est.token.revoke',
      targetType: 'device',
      targetId: token.deviceId,
      targetLabel: device?.name ?? null,
      details: { tokenId },
    });
  });
}

export interface TokenListRow {
  id: string;
  deviceId: string;
  deviceName: string | null;
  createdAt: Date;
  createdByEmail: string;
  expiresAt: Date;
  state: 'waiting' | 'used' | 'expired' | 'revoked';
}

/** The newest tokens with their state (never their secret, which is nowhere). */
export async function listEnrollmentTokens(prisma: PrismaClient, limit = 50): Promise<TokenListRow[]> {
  const tokens = await prisma.enrollmentToken.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  const [devices, used] = await Promise.all([
    prisma.device.findMany({ where: { id: { in: tokens.map((t) => t.deviceId) } }, select: { id: true, name: true } }),
    prisma.estRequest.findMany({ where: { tokenHash: { in: tokens.map((t) => t.tokenHash) } }, select: { tokenHash: true } }),
  ]);
  const names = new Map(devices.map((d) => [d.id, d.name]));
  const usedCount = new Map<string, number>();
  for (const u of used) if (u.tokenHash) usedCount.set(u.tokenHash, (usedCount.get(u.tokenHash) ?? 0) + 1);
  const now = Date.now();
  return tokens.map((t) => ({
    id: t.id,
    deviceId: t.deviceId,
    deviceName: names.get(t.deviceId) ?? null,
    createdAt: t.createdAt,
    createdByEmail: t.createdByEmail,
    expiresAt: t.expiresAt,
    state: t.revokedAt ? 'revoked' : (usedCount.get(t.tokenHash) ?? 0) >= t.uses ? 'used' : t.expiresAt.getTime() <= now ? 'expired' : 'waiting',
  }));
}

export interface EstRequestListRow {
  id: string;
  kind: 'ENROLL' | 'REENROLL';
  status: 'PENDING' | 'ISSUED' | 'REJECTED';
  deviceId: string | null;
  deviceName: string | null;
  certificateId: string | null;
  error: string | null;
  requestedAt: Date;
  answeredAt: Date | null;
}

/** The newest EST requests certfleet has handled (or is handling). */
export async function listEstRequests(prisma: PrismaClient, limit = 100): Promise<EstRequestListRow[]> {
  const rows = await prisma.estRequest.findMany({ orderBy: { requestedAt: 'desc' }, take: limit });
  const devices = await prisma.device.findMany({
    where: { id: { in: rows.map((r) => r.deviceId).filter((id): id is string => !!id) } },
    select: { id: true, name: true },
  });
  const names = new Map(devices.map((d) => [d.id, d.name]));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    deviceId: r.deviceId,
    deviceName: r.deviceId ? (names.get(r.deviceId) ?? null) : null,
    certificateId: r.certificateId,
    error: r.error,
    requestedAt: r.requestedAt,
    answeredAt: r.answeredAt,
  }));
}

import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '@/lib/audit';
import { db } from '@/lib/db/client';
import { AppError, invalidInput } from '@/lib/errors';
import { AuthError, assertCan, type SessionUser } from './errors';
import { PERMISSIONS, ROLES, type RoleName } from './permissions';

/*
 * Personal API tokens. A token is `cfat_` + 40 hex characters: the prefix lets secret scanners (and people)
 * recognise a leaked one. Only its SHA-256 is stored; the secret is shown once. A token carries a role no
 * higher than its owner's; on every request the lower of the token's role and the owner's current role
 * applies, so demoting or disabling the owner reaches their tokens at once.
 */

export const TOKEN_PREFIX = 'cfat_';
const TOKEN_PATTERN = /^cfat_[0-9a-f]{40}$/;
/** Requests one token may make per minute (CERTFLEET_TOKEN_REQUESTS_PER_MINUTE overrides). */
export const DEFAULT_TOKEN_REQUESTS_PER_MINUTE = 600;
export const MAX_TOKEN_DAYS = 366;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Every permission of `role`. */
function permissionsOf(role: RoleName): Set<string> {
  return new Set(Object.entries(PERMISSIONS).filter(([, roles]) => (roles as readonly RoleName[]).includes(role)).map(([p]) => p));
}

/** Whether `lower` can do nothing that `upper` cannot. */
export function roleWithin(lower: RoleName, upper: RoleName): boolean {
  const allowed = permissionsOf(upper);
  return [...permissionsOf(lower)].every((p) => allowed.has(p));
}

/** The roles a user may give a token: their own and those within it. */
export function grantableRoles(role: RoleName): RoleName[] {
  return ROLES.filter((r) => roleWithin(r, role));
}

export const CreateTokenSchema = z.object({
  name: z.string().trim().min(1, { error: 'Give the token a name (what uses it).' }).max(80, { error: 'At most 80 characters.' }),
  role: z.enum(ROLES, { error: 'Choose a role.' }),
  readOnly: z.preprocess((v) => v === true || v === 'on' || v === 'true', z.boolean()),
  expiresInDays: z.coerce
    .number({ error: 'Enter a number of days.' })
    .int({ error: 'Enter a whole number of days.' })
    .min(1, { error: 'At least 1 day.' })
    .max(MAX_TOKEN_DAYS, { error: `At most ${MAX_TOKEN_DAYS} days: tokens must expire.` }),
});
export type CreateTokenInput = z.infer<typeof CreateTokenSchema>;

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  role: RoleName;
  readOnly: boolean;
  owner: { id: string; email: string };
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  state: 'active' | 'expired' | 'revoked';
}

const tokenSelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  readOnly: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  user: { select: { id: true, email: true } },
} as const;

type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  role: RoleName;
  readOnly: boolean;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; email: string };
};

function view(row: TokenRow, now: Date): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    readOnly: row.readOnly,
    owner: row.user,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    state: row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active',
  };
}

/** Makes a token for `actor` (never for someone else). The secret is in the answer and nowhere else, ever. */
export async function createApiToken(actor: SessionUser, input: unknown, now = new Date()): Promise<{ token: ApiTokenView; secret: string }> {
  assertCan(actor, 'settings:view');
  if (actor.token) throw new AuthError(403, 'An API token cannot make API tokens: sign in to the app.');
  const parsed = CreateTokenSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error);
  const { name, role, readOnly, expiresInDays } = parsed.data;
  if (!roleWithin(role, actor.role)) {
    throw new AppError('BAD_INPUT', `A token’s role cannot be above your own (${actor.role}).`, { fieldErrors: { role: [`Choose ${grantableRoles(actor.role).join(', ')}.`] } });
  }
  const secret = TOKEN_PREFIX + randomBytes(20).toString('hex');
  const prefix = secret.slice(0, TOKEN_PREFIX.length + 8);
  const row = await db().$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { userId: actor.id, name, prefix, hash: hashOf(secret), role, readOnly, expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000) },
      select: tokenSelect,
    });
    await recordAudit(tx, {
      actor,
      action: 'api_token.create',
      targetType: 'api_token',
      targetId: created.id,
      targetLabel: `${name} (${prefix}…)`,
      details: { role, readOnly, expiresAt: created.expiresAt!.toISOString() },
    });
    return created;
  });
  return { token: view(row as TokenRow, now), secret };
}

/** The actor's own tokens; with `everyone`, an ADMIN sees every user's. Newest first. */
export async function listApiTokens(actor: SessionUser, opts: { everyone?: boolean } = {}, now = new Date()): Promise<ApiTokenView[]> {
  assertCan(actor, 'settings:view');
  if (opts.everyone) assertCan(actor, 'users:manage');
  const rows = await db().apiToken.findMany({
    where: opts.everyone ? {} : { userId: actor.id },
    select: tokenSelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 500,
  });
  return rows.map((r) => view(r as TokenRow, now));
}

/** Revokes a token: its owner may, and any ADMIN. Refused at once on its next request. Revoking twice is a no-op. */
export async function revokeApiToken(actor: SessionUser, tokenId: string, now = new Date()): Promise<ApiTokenView> {
  assertCan(actor, 'settings:view');
  const row = await db().apiToken.findUnique({ where: { id: tokenId }, select: tokenSelect });
  // Someone else's token is invisible to a non-ADMIN: the same answer as a token that does not exist.
  if (!row || (row.user.id !== actor.id && actor.role !== 'ADMIN')) throw new AppError('NOT_FOUND', 'No such API token.');
  if (row.user.id !== actor.id) assertCan(actor, 'users:manage');
  if (row.revokedAt) return view(row as TokenRow, now);
  const updated = await db().$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: now } });
    const fresh = await tx.apiToken.findUniqueOrThrow({ where: { id: tokenId }, select: tokenSelect });
    if (count === 1) {
      await recordAudit(tx, {
        actor,
        action: 'api_token.revoke',
        targetType: 'api_token',
        targetId: tokenId,
        targetLabel: `${row.name} (${row.prefix}…)`,
        details: { owner: row.user.email },
      });
    }
    return fresh;
  });
  return view(updated as TokenRow, now);
}

function requestsPerMinute(): number {
  const n = Number(process.env.CERTFLEET_TOKEN_REQUESTS_PER_MINUTE);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_TOKEN_REQUESTS_PER_MINUTE;
}

/**
 * The person behind `Authorization: Bearer cfat_…`, acting with the token's role (or their own, if lower
 * now). Counts the request against the token's per-minute limit and records last use in the same
 * statement, so replicas share the count. Refuses an unknown, revoked or expired token, or a disabled owner.
 */
export async function authenticateApiToken(secret: string, now = new Date()): Promise<SessionUser> {
  if (!TOKEN_PATTERN.test(secret)) throw new AuthError(401, 'That is not a certfleet API token (they start with cfat_).');
  const rows = await db().$queryRaw<{ id: string; windowCount: number; windowStart: Date }[]>`
    UPDATE "ApiToken"
       SET "lastUsedAt"  = ${now},
           "windowCount" = CASE WHEN "windowStart" <= ${new Date(now.getTime() - 60_000)} THEN 1 ELSE "windowCount" + 1 END,
           "windowStart" = CASE WHEN "windowStart" <= ${new Date(now.getTime() - 60_000)} THEN ${now} ELSE "windowStart" END
     WHERE hash = ${hashOf(secret)} AND "revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > ${now})
     RETURNING id, "windowCount", "windowStart"`;
  const used = rows[0];
  if (!used) {
    const known = await db().apiToken.findUnique({ where: { hash: hashOf(secret) }, select: { revokedAt: true, expiresAt: true } });
    if (known?.revokedAt) throw new AuthError(401, 'This API token was revoked.');
    if (known) throw new AuthError(401, 'This API token has expired: make a new one in Settings.');
    throw new AuthError(401, 'Unknown API token.');
  }
  const limit = requestsPerMinute();
  if (used.windowCount > limit) {
    const retryAfter = Math.max(1, Math.ceil((used.windowStart.getTime() + 60_000 - now.getTime()) / 1000));
    throw new AppError('TOO_MANY_REQUESTS', `This API token made more than ${limit} requests in a minute; try again in ${retryAfter} s.`, { retryAfter });
  }
  const token = await db().apiToken.findUniqueOrThrow({
    where: { id: used.id },
    select: { id: true, name: true, prefix: true, role: true, readOnly: true, user: { select: { id: true, email: true, name: true, role: true, disabled: true } } },
  });
  if (token.user.disabled) throw new AuthError(401, 'The owner of this API token is disabled.');
  const role = roleWithin(token.role, token.user.role) ? token.role : token.user.role;
  return {
    id: token.user.id,
    email: token.user.email,
    name: token.user.name,
    role,
    token: { id: token.id, name: token.name, prefix: token.prefix, readOnly: token.readOnly },
  };
}

/** `Bearer cfat_…` → the secret; anything else → null (not a token request). */
export function bearerToken(authorization: string | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? match[1]! : null;
}

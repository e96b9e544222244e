import 'server-only';
import { headers } from 'next/headers';
import { recordAudit } from '@/lib/audit';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { clientAddress } from './authenticate';
import { AuthError, assertCan, type SessionUser } from './errors';
import { describeUserAgent } from './user-agent';

/*
 * Sessions that end (issue 13, docs/security.md). A session token is a signed JWT that lives 12 hours. It
 * carries two things checked on every request (`sessionUser`):
 * - `sv`, the user's `sessionVersion` at sign-in: bumping the version (sign-out, password reset, disable,
 *   enable, role change) ends every session of that user at once;
 * - `sid`, the id of its `UserSession` row, made at sign-in: ending that one row (from Settings → Sessions,
 *   or an ADMIN's user page) refuses that one token at once, and the row is what the session lists show.
 * A token without a row (from before rows existed, or whose row was pruned) is refused.
 * Storage stays bounded: `lastSeenAt` is written at most once a minute per session, and each sign-in deletes
 * rows idle for longer than a session lives (ended rows included), so the table holds the last 12 hours.
 */

/** How long a session lives without being used; the same as next-auth's `session.maxAge` (lib/auth/options.ts). */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;
/** `lastSeenAt` is written when it is older than this: at most one write a minute per session, never one per request. */
export const LAST_SEEN_EVERY_MS = 60_000;

export interface SignInClient {
  /** The user agent in short ("Chrome 131 on Linux"). */
  browser: string;
  address: string;
}

/** Who is signing in, from the sign-in request's headers (next-auth's callbacks run inside it). */
export async function signInClient(): Promise<SignInClient> {
  try {
    const h = await headers();
    return { browser: describeUserAgent(h.get('user-agent')), address: clientAddress(h) };
  } catch {
    // Outside a request (a script): nothing to describe.
    return { browser: 'Unknown browser', address: 'unknown' };
  }
}

/** Makes the session row of a sign-in and answers its id (the token's `sid`); forgets rows that can no longer matter. */
export async function startSession(userId: string, client: SignInClient, now = new Date()): Promise<string> {
  await pruneSessions(now);
  const row = await db().userSession.create({
    data: { userId, browser: client.browser.slice(0, 120), address: client.address.slice(0, 64), createdAt: now, lastSeenAt: now },
    select: { id: true },
  });
  return row.id;
}

/** Deletes the rows idle for longer than a session lives, ended or not: no token can use them any more. */
export async function pruneSessions(now = new Date()): Promise<number> {
  const { count } = await db().userSession.deleteMany({ where: { lastSeenAt: { lt: new Date(now.getTime() - SESSION_LIFETIME_MS) } } });
  return count;
}

/**
 * The user a session token stands for, or null when its session row is missing, ended or idle past the
 * lifetime, the account is gone or disabled, or the token's version is stale. Notes the session as seen
 * (at most once a minute).
 */
export async function sessionUser(id: string, tokenVersion: number, sessionId: string | undefined, now = new Date()): Promise<SessionUser | null> {
  if (!sessionId) return null;
  const session = await db().userSession.findUnique({
    where: { id: sessionId },
    select: {
      userId: true,
      endedAt: true,
      lastSeenAt: true,
      user: { select: { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true } },
    },
  });
  if (!session || session.userId !== id || session.endedAt) return null;
  const idleMs = now.getTime() - session.lastSeenAt.getTime();
  if (idleMs > SESSION_LIFETIME_MS) return null;
  const { user } = session;
  if (user.disabled || user.sessionVersion !== tokenVersion) return null;
  if (idleMs >= LAST_SEEN_EVERY_MS) {
    // Conditional, so parallel requests of one session write once.
    await db().userSession.updateMany({
      where: { id: sessionId, lastSeenAt: { lt: new Date(now.getTime() - LAST_SEEN_EVERY_MS) } },
      data: { lastSeenAt: now },
    });
  }
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionId };
}

/** Who ended a session, and why: kept on the row (until it is pruned) and in the audit log. */
export interface SessionEnding {
  why: string;
  by?: { id: string | null; email: string };
}

/** Marks the user's open session rows ended (inside the change that ends them); answers how many. */
export async function endSessionRecords(tx: Prisma.TransactionClient, userId: string, ending: SessionEnding, now = new Date()): Promise<number> {
  const { count } = await tx.userSession.updateMany({
    where: { userId, endedAt: null },
    data: { endedAt: now, endedById: ending.by?.id ?? null, endedByEmail: ending.by?.email ?? null, endReason: ending.why },
  });
  return count;
}

/**
 * Ends every session of the user, audited: the version is bumped (so a token of any age is refused) and
 * each open row is marked ended. Signing out calls it (all browsers, not only this cookie); pass `tx` to
 * run inside a change's transaction.
 */
export async function endSessions(userId: string, tx?: Prisma.TransactionClient, ending: SessionEnding = { why: 'signed out' }, now = new Date()): Promise<number> {
  const run = async (t: Prisma.TransactionClient) => {
    const user = await t.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (!user) return 0;
    await t.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    const ended = await endSessionRecords(t, userId, ending, now);
    await recordAudit(t, {
      actor: ending.by ?? { id: user.id, email: user.email },
      action: 'session.end_all',
      targetType: 'user',
      targetId: user.id,
      targetLabel: user.email,
      reason: ending.why,
      details: { ended },
    });
    return ended;
  };
  return tx ? run(tx) : db().$transaction(run);
}

/**
 * next-auth's sign-out: ends every session of the user, if the token signing out is still a live session.
 * A cookie whose session was already ended (a thief's, after its owner ended it) signs only itself out: it
 * cannot end its owner's sessions over and over.
 */
export async function signOutEverywhere(token: { id?: string; sv?: number; sid?: string } | null | undefined): Promise<void> {
  if (!token?.id || !(await sessionUser(token.id, token.sv ?? 0, token.sid))) return;
  await endSessions(token.id);
}

/** One session as the lists show it. */
export interface SessionView {
  id: string;
  user: { id: string; email: string };
  browser: string;
  address: string;
  createdAt: string;
  lastSeenAt: string;
  /** The session the list is looked at from. */
  current: boolean;
}

const sessionSelect = {
  id: true,
  browser: true,
  address: true,
  createdAt: true,
  lastSeenAt: true,
  user: { select: { id: true, email: true } },
} as const;

type SessionRow = { id: string; browser: string; address: string; createdAt: Date; lastSeenAt: Date; user: { id: string; email: string } };

function view(row: SessionRow, actor: SessionUser): SessionView {
  return {
    id: row.id,
    user: row.user,
    browser: row.browser,
    address: row.address,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    current: row.id === actor.sessionId,
  };
}

/** At most this many sessions are listed (the newest seen first). */
export const SESSION_LIST_LIMIT = 500;

/**
 * The open sessions of the actor, or with `userId` of that user, or with `everyone` of every user (both
 * ADMIN only). Most recently seen first.
 */
export async function findSessions(actor: SessionUser, opts: { userId?: string; everyone?: boolean } = {}, now = new Date()): Promise<SessionView[]> {
  assertCan(actor, 'settings:view');
  const userId = opts.everyone ? undefined : (opts.userId ?? actor.id);
  if (userId !== actor.id) assertCan(actor, 'users:manage');
  const rows = await db().userSession.findMany({
    where: { endedAt: null, lastSeenAt: { gte: new Date(now.getTime() - SESSION_LIFETIME_MS) }, ...(userId ? { userId } : {}) },
    select: sessionSelect,
    orderBy: [{ lastSeenAt: 'desc' }, { id: 'desc' }],
    take: SESSION_LIST_LIMIT,
  });
  return rows.map((r) => view(r, actor));
}

function refuseApiToken(actor: SessionUser): void {
  if (actor.token) throw new AuthError(403, 'An API token cannot end sessions: sign in to the app.');
}

/**
 * Ends one session: its user may, and any ADMIN. The token is refused from its next request on. Ending an
 * ended session again is a no-op (`ended: false`), not audited twice.
 */
export async function endSession(actor: SessionUser, sessionId: string, now = new Date()): Promise<{ ended: boolean; session: SessionView }> {
  assertCan(actor, 'settings:view');
  refuseApiToken(actor);
  const row = await db().userSession.findUnique({ where: { id: sessionId }, select: { ...sessionSelect, endedAt: true } });
  const own = row?.user.id === actor.id;
  // Someone else's session is invisible to a non-ADMIN: the same answer as one that does not exist.
  if (!row || (!own && actor.role !== 'ADMIN')) throw new AppError('NOT_FOUND', 'No such session: it may have ended already.');
  if (!own) assertCan(actor, 'users:manage');
  const ended = await db().$transaction(async (tx) => {
    const { count } = await tx.userSession.updateMany({
      where: { id: sessionId, endedAt: null },
      data: { endedAt: now, endedById: actor.id, endedByEmail: actor.email, endReason: own ? 'ended by its user' : 'ended by an admin' },
    });
    if (count === 1) {
      await recordAudit(tx, {
        actor,
        action: 'session.end',
        targetType: 'session',
        targetId: sessionId,
        targetLabel: row.user.email,
        details: { owner: row.user.email, browser: row.browser, address: row.address, signedInAt: row.createdAt.toISOString() },
      });
    }
    return count === 1;
  });
  return { ended, session: view(row, actor) };
}

/** Ends every open session of the actor except the one they act from ("End all other sessions"); answers how many. */
export async function endOtherSessions(actor: SessionUser, now = new Date()): Promise<number> {
  assertCan(actor, 'settings:view');
  refuseApiToken(actor);
  const keep = actor.sessionId;
  if (!keep) throw new AuthError(403, 'Only a signed-in browser can end its other sessions.');
  return db().$transaction(async (tx) => {
    const { count } = await tx.userSession.updateMany({
      where: { userId: actor.id, endedAt: null, id: { not: keep } },
      data: { endedAt: now, endedById: actor.id, endedByEmail: actor.email, endReason: 'ended by its user (all other sessions)' },
    });
    if (count > 0) {
      await recordAudit(tx, { actor, action: 'session.end_others', targetType: 'user', targetId: actor.id, targetLabel: actor.email, details: { ended: count, kept: keep } });
    }
    return count;
  });
}

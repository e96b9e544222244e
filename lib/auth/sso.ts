import 'server-only';
import { recordAudit, type AuditActor } from '@/lib/audit';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import type { SessionUser } from './errors';
import type { RoleName } from './permissions';
import { endSessionRecords } from './sessions';
import { claimValues, roleFromClaims, type SsoConfig } from './sso-config';

/*
 * What a single sign-on means for certfleet's users (docs/security.md, "Single sign-on"). The provider
 * vouches for who someone is and which groups they are in; certfleet decides what that allows:
 * - a known subject (issuer + sub) is that user; an unknown one with a VERIFIED email that matches a user is
 *   linked to that user (audited); otherwise a user is made just in time, with no password;
 * - the role is read from the groups at every SSO sign-in: a change is applied and audited, and (like an
 *   admin's role change) ends the user's other sessions;
 * - no group that maps to a role, a disabled account, or an email that cannot be trusted: refused, and
 *   nothing is made or changed.
 */

/** Why an SSO sign-in was refused; the sign-in page shows SSO_REFUSAL_MESSAGES[reason]. */
export type SsoRefusal = 'SsoNoRole' | 'SsoDisabled' | 'SsoEmail' | 'SsoLinkedElsewhere';

export const SSO_REFUSAL_MESSAGES: Record<SsoRefusal | 'SsoFailed', string> = {
  SsoNoRole: 'Your account at the identity provider is in no group that has access to certfleet. Ask your administrator to add you to one.',
  SsoDisabled: 'This certfleet account is disabled. Ask an administrator to enable it.',
  SsoEmail: 'The identity provider did not confirm your email address as verified, so certfleet cannot match it to an account.',
  SsoLinkedElsewhere: 'A certfleet account with this email is already linked to another identity at the provider. Ask an administrator.',
  SsoFailed: 'Single sign-on did not complete: the identity provider’s answer could not be used. Try again, or ask your administrator.',
};

export type SsoSignIn = { ok: true; user: SessionUser & { sessionVersion: number } } | { ok: false; reason: SsoRefusal };

/** The audit log's actor for what the provider's claims change (the person is not choosing it). */
const SSO_ACTOR: AuditActor = { id: null, email: 'system:sso' };

const userSelect = { id: true, email: true, name: true, role: true, disabled: true, sessionVersion: true, oidcSubject: true } as const;

/**
 * Resolves a sign-in from the provider's verified claims (ID token + userinfo, as next-auth passes them)
 * to a certfleet user, linking or creating one where the rules above allow.
 */
export async function signInWithSso(claims: Record<string, unknown>, config: Pick<SsoConfig, 'issuer' | 'roleClaim' | 'roleMap'>): Promise<SsoSignIn> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction((tx) => resolve(tx, claims, config));
    } catch (error) {
      // Two first sign-ins of one person at once: the second one's create or link collides; on a retry it finds the user.
      const collided = error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2002' || error.code === 'P2034');
      if (!collided || attempt >= 3) throw error;
    }
  }
}

async function resolve(tx: Prisma.TransactionClient, claims: Record<string, unknown>, config: Pick<SsoConfig, 'issuer' | 'roleClaim' | 'roleMap'>): Promise<SsoSignIn> {
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  // OpenID Connect Core 2: every ID token names its subject; next-auth has already checked the token's signature.
  if (!subject) throw new Error('the identity provider sent an ID token without a subject (sub)');
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const emailVerified = claims.email_verified === true;
  const role = roleFromClaims(claims, config);
  const groups = claimValues(claims, config.roleClaim).filter((group) => config.roleMap.has(group));

  let user = await tx.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: config.issuer, oidcSubject: subject } }, select: userSelect });
  let linked = false;
  if (!user) {
    // Matching by email hands over an existing account: only when the provider says it verified that email.
    if (!email || !emailVerified) return { ok: false, reason: 'SsoEmail' };
    user = await tx.user.findUnique({ where: { email }, select: userSelect });
    if (user?.oidcSubject) return { ok: false, reason: 'SsoLinkedElsewhere' };
    linked = !!user;
  }
  if (user?.disabled) return { ok: false, reason: 'SsoDisabled' };
  if (!role) return { ok: false, reason: 'SsoNoRole' };

  if (!user) {
    const created = await tx.user.create({
      data: { email, name: displayName(claims, email), role, passwordHash: null, oidcIssuer: config.issuer, oidcSubject: subject },
      select: userSelect,
    });
    await recordAudit(tx, {
      actor: SSO_ACTOR,
      action: 'user.create',
      targetType: 'user',
      targetId: created.id,
      targetLabel: created.email,
      details: { name: created.name, role, via: 'oidc', issuer: config.issuer, groups },
    });
    return { ok: true, user: sessionUserOf(created) };
  }

  if (linked) {
    await tx.user.update({ where: { id: user.id }, data: { oidcIssuer: config.issuer, oidcSubject: subject } });
    await recordAudit(tx, { actor: SSO_ACTOR, action: 'user.sso.link', targetType: 'user', targetId: user.id, targetLabel: user.email, details: { issuer: config.issuer } });
  }
  if (user.role !== role) {
    // As when an admin changes a role: the user's other sessions end, this sign-in gets the new version.
    const from: RoleName = user.role;
    user = await tx.user.update({ where: { id: user.id }, data: { role, sessionVersion: { increment: 1 } }, select: userSelect });
    await endSessionRecords(tx, user.id, { why: 'role change', by: SSO_ACTOR });
    await recordAudit(tx, {
      actor: SSO_ACTOR,
      action: 'user.role.change',
      targetType: 'user',
      targetId: user.id,
      targetLabel: user.email,
      details: { from, to: role, via: 'oidc', groups },
    });
  }
  return { ok: true, user: sessionUserOf(user) };
}

function displayName(claims: Record<string, unknown>, email: string): string {
  const name = [claims.name, claims.preferred_username].find((v): v is string => typeof v === 'string' && v.trim().length > 0);
  return (name ?? email).trim().slice(0, 100);
}

function sessionUserOf(user: { id: string; email: string; name: string; role: RoleName; sessionVersion: number }): SessionUser & { sessionVersion: number } {
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}

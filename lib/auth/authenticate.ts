import 'server-only';
import { db } from '@/lib/db/client';
import type { SessionUser } from './errors';
import { verifyAgainstDummy, verifyPassword } from './password';
import { throttleKey } from './throttle-policy';
import { clearSignInFailures, recordSignInFailure, signInGate } from './throttle';

// bcrypt reads only the first 72 bytes; longer input would only buy an attacker CPU time.
const MAX_PASSWORD_LENGTH = 1024;

/**
 * The client's address as the throttle keys it: the last X-Forwarded-For entry (Next sets it to the
 * socket's address when the client sent none; a proxy in front appends the address it saw). Set
 * CERTFLEET_TRUSTED_PROXIES to the number of proxies in front of certfleet to take the entry they vouch
 * for. A client that forges the header only earns itself fresh per-address allowances, which the soft
 * per-email delay still slows (docs/security.md).
 */
export function clientAddress(headers: Record<string, unknown> | Headers | undefined): string {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers?.['x-forwarded-for'];
  const list = (Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : '').split(',').map((s) => s.trim()).filter(Boolean);
  const hops = Math.max(0, Number(process.env.CERTFLEET_TRUSTED_PROXIES) || 0);
  const address = list[Math.max(0, list.length - 1 - hops)];
  return address ? address.slice(0, 64) : 'unknown';
}

/**
 * Checks an email and password. Every refusal (unknown email, wrong password, disabled account,
 * locked email, an SSO-only account without a password) returns null, so the caller can only ever say one thing, and each path spends one
 * bcrypt comparison so timing does not tell them apart either.
 */
export async function authenticate(rawEmail: unknown, password: unknown, address = 'unknown'): Promise<(SessionUser & { sessionVersion: number }) | null> {
  if (typeof rawEmail !== 'string' || typeof password !== 'string' || !rawEmail.trim() || !password) return null;
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const email = throttleKey(rawEmail);

  const gate = await signInGate(email, address);
  if (gate.locked) {
    await verifyAgainstDummy(password);
    return null;
  }
  if (gate.delayMs) await new Promise((resolve) => setTimeout(resolve, gate.delayMs));

  const user = await db().user.findUnique({ where: { email } });
  // An account made by single sign-on has no password (null): it is refused like an unknown email, in the same time.
  const passwordMatches = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
  if (!user || !passwordMatches) {
    await recordSignInFailure(email, address);
    return null;
  }
  if (user.disabled) return null;

  await clearSignInFailures(email, address);
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}

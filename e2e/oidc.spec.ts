import type { Page } from '@playwright/test';
import { expect, test, waitForHydration } from './fixtures';
import { mainNav, NAV_BY_ROLE } from './helpers';
import { sql } from './inventory';
import { readStack } from './stack';
import type { RoleName } from '../lib/auth/permissions';

/*
 * Single sign-on through the stack's own OpenID Connect provider (scripts/lib/oidc-dev-provider.ts, the
 * `oidc-provider` package): its login and consent pages, a signed ID token, userinfo with a `groups` claim
 * that certfleet maps to a role (OIDC_ROLE_MAP=fleet-admins=ADMIN,fleet-support=SUPPORT,fleet-managers=MANAGER).
 */

const ROLE_LABEL: Record<RoleName, string> = { ADMIN: 'Admin', SUPPORT: 'Support', MANAGER: 'Manager' };

function account(login: string) {
  const found = readStack().oidc.accounts.find((a) => a.login === login);
  if (!found) throw new Error(`no account ${login} at the stack's OIDC provider`);
  return found;
}

/** From certfleet's sign-in page through the provider's login and consent pages; does not wait for where it lands. */
async function signInThroughProvider(page: Page, login: string): Promise<void> {
  const { issuer, name } = readStack().oidc;
  const { password } = account(login);
  await page.goto('/signin');
  await page.getByRole('button', { name: `Sign in with ${name}` }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Local SSO' })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(issuer);
  await page.getByLabel('Username').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Allow access' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'groups' })).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
}

for (const [login, role] of [['olivia', 'ADMIN'], ['sid', 'SUPPORT'], ['mo', 'MANAGER']] as const) {
  test(`[${role}][SSO]: signs in through the OIDC provider, gets the role its groups map to, and signing out ends the session`, async ({ page }) => {
    const { email, groups } = account(login);
    await signInThroughProvider(page, login);

    await expect(page).toHaveURL('/');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-user')).toContainText(ROLE_LABEL[role]);
    await expect(mainNav(page).getByRole('link')).toHaveText(NAV_BY_ROLE[role]);
    const me = await page.request.get('/api/me');
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email, role } });

    // Made just in time: no password, linked to the provider's subject, its creation audited with the groups that mapped.
    const [user] = await sql<{ id: string; role: string; passwordHash: string | null; oidcSubject: string }>(
      'SELECT id, role, "passwordHash", "oidcSubject" FROM "User" WHERE email = $1',
      [email],
    );
    expect(user).toMatchObject({ role, passwordHash: null, oidcSubject: login });
    const [created] = await sql<{ actorEmail: string; details: { role: string; via: string; groups: string[] } }>(
      `SELECT "actorEmail", details FROM "AuditEvent" WHERE action = 'user.create' AND "targetId" = $1`,
      [user!.id],
    );
    expect(created).toMatchObject({ actorEmail: 'system:sso', details: { role, via: 'oidc' } });
    expect(groups).toEqual(expect.arrayContaining(created!.details.groups));

    // Signing out ends the session on the server: the old cookie, put back, is refused too.
    const cookies = await page.context().cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);
    expect((await page.request.get('/api/me')).status()).toBe(401);
    await page.goto('/devices');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdevices/);
    await page.context().addCookies(cookies);
    expect((await page.request.get('/api/me')).status()).toBe(401);
    // The stale cookie gets past proxy.ts's optimistic check; the page itself reads the user and refuses it.
    await page.goto('/devices');
    await expect(page).toHaveURL(/\/signin$/);
    await expect(page.getByRole('button', { name: `Sign in with ${readStack().oidc.name}` })).toBeVisible();
  });
}

test('[VISITOR][SSO]: a person whose groups map to no role is refused with a message, and no user is made', async ({ page }) => {
  const { email } = account('nina');
  await signInThroughProvider(page, 'nina');

  await expect(page).toHaveURL(/\/signin\?error=SsoNoRole/);
  await expect(page.getByRole('status')).toHaveText(/in no group that has access to certfleet/);
  expect((await page.request.get('/api/me')).status()).toBe(401);
  expect(await sql('SELECT id FROM "User" WHERE email = $1', [email])).toEqual([]);
});

test('[VISITOR][SSO]: the sign-in page offers both ways in and never carries the client secret', async ({ page }) => {
  const { appEnv, oidc } = readStack();
  const response = await page.goto('/signin');
  const html = (await response!.text()) + (await page.content());
  await expect(page.getByRole('button', { name: `Sign in with ${oidc.name}` })).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  expect(appEnv.OIDC_CLIENT_SECRET).toBeTruthy();
  expect(html).not.toContain(appEnv.OIDC_CLIENT_SECRET);
});

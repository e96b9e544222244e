import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { expect, test, waitForHydration } from './fixtures';
import { demoUser } from '../lib/auth/demo-users';
import type { RoleName } from '../lib/auth/permissions';
import { DEMO_PASSWORD, submitSignIn, uniqueEmail } from './helpers';

/*
 * Sessions a person can see and end (issue 13, docs/security.md "Sessions that end"), in Chromium: each
 * browser context is one signed-in browser. Every user here is made by the spec, so ending "all other
 * sessions" never touches another spec's demo sign-ins.
 */

/** Signs in through the form and waits, however long a busy machine takes, for the dashboard to show the user. */
async function signInAs(page: Page, email: string, name: string) {
  await page.goto('/signin');
  await submitSignIn(page, email, DEMO_PASSWORD);
  await page.getByTestId('current-user').filter({ hasText: name }).waitFor({ timeout: 0 });
  await waitForHydration(page);
}

async function browserFor(browser: Browser, email: string, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, email, name);
  return { context, page };
}

async function adminBrowser(browser: Browser) {
  const admin = demoUser('ADMIN');
  return browserFor(browser, admin.email, admin.name);
}

async function createUser(admin: APIRequestContext, role: RoleName, name: string) {
  const email = uniqueEmail(`sessions-${role.toLowerCase()}`);
  const created = await admin.post('/api/users', { data: { email, name, role, password: DEMO_PASSWORD } });
  expect(created.status()).toBe(201);
  return { email, name };
}

/** The next navigation of a browser whose session was ended lands on the sign-in page. */
async function expectSignedOut(page: Page) {
  await page.goto('/devices');
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  expect((await page.request.get('/api/me')).status()).toBe(401);
}

test.describe('sessions', () => {
  test('[SUPPORT][SESSION]: one browser ends another from Settings → Sessions, which is signed out at its next navigation; then “End all other sessions”', async ({ browser }) => {
    const admin = await adminBrowser(browser);
    const user = await createUser(admin.context.request, 'SUPPORT', 'Two Browsers');
    const laptop = await browserFor(browser, user.email, user.name);
    const phone = await browserFor(browser, user.email, user.name);

    await laptop.page.goto('/settings');
    const list = laptop.page.getByRole('table', { name: 'Your sessions' });
    const rows = list.getByRole('row').filter({ has: laptop.page.getByRole('cell') });
    await expect(rows).toHaveCount(2);
    const here = rows.filter({ hasText: 'This session' });
    await expect(here).toHaveCount(1);
    await expect(here).toContainText(/Chrome \d+ on Linux/);
    await expect(here).toContainText(/127\.0\.0\.1/);
    // The current session has no End (Sign out ends it); the other one does.
    await expect(here.getByRole('button', { name: /^End the session/ })).toHaveCount(0);
    const other = rows.filter({ hasNotText: 'This session' });
    await other.getByRole('button', { name: /^End the session/ }).click();
    await expect(rows).toHaveCount(1);

    await expectSignedOut(phone.page);
    // The browser that ended it carries on.
    await laptop.page.goto('/settings');
    await expect(laptop.page.getByTestId('current-user')).toContainText(user.name);

    // Two more browsers, both ended by one click; the one clicking stays signed in.
    const tablet = await browserFor(browser, user.email, user.name);
    const desktop = await browserFor(browser, user.email, user.name);
    await laptop.page.goto('/settings');
    await expect(rows).toHaveCount(3);
    await laptop.page.getByRole('button', { name: 'End all other sessions' }).click();
    await expect(laptop.page.getByRole('status').filter({ hasText: 'Ended 2 other sessions' })).toBeVisible();
    await expect(rows).toHaveCount(1);
    await expectSignedOut(tablet.page);
    await expectSignedOut(desktop.page);
    expect((await laptop.page.request.get('/api/me')).status()).toBe(200);

    // Both kinds of end are in the audit log.
    await admin.page.goto(`/audit?target=${encodeURIComponent(user.email)}`);
    const audit = admin.page.getByRole('table');
    const entries = (action: string) => audit.getByRole('row').filter({ has: admin.page.getByRole('cell', { name: action, exact: true }) });
    await expect(entries('session.end_others')).toHaveCount(1);
    await expect(entries('session.end')).toHaveCount(1);
    for (const s of [admin, laptop, phone, tablet, desktop]) await s.context.close();
  });

  test('[ADMIN][SESSION]: an ADMIN ends a SUPPORT user’s session from Users → Signed-in sessions', async ({ browser }) => {
    const admin = await adminBrowser(browser);
    const user = await createUser(admin.context.request, 'SUPPORT', 'Ended By Admin');
    const support = await browserFor(browser, user.email, user.name);

    await admin.page.goto('/users');
    const list = admin.page.getByRole('table', { name: 'Signed-in sessions' });
    const row = list.getByRole('row').filter({ hasText: user.email });
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: new RegExp(`^End the session of ${user.email.replace(/[.+]/g, '\\$&')} on`) }).click();
    await expect(row).toHaveCount(0);

    await expectSignedOut(support.page);
    // Signing in again works at once, as a new session.
    await signInAs(support.page, user.email, user.name);
    await admin.page.goto('/users');
    await expect(list.getByRole('row').filter({ hasText: user.email })).toHaveCount(1);

    await admin.page.goto(`/audit?action=session.end&target=${encodeURIComponent(user.email)}`);
    const entry = admin.page.getByRole('table').getByRole('row').filter({ has: admin.page.getByRole('cell', { name: 'session.end', exact: true }) });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(demoUser('ADMIN').email);
    for (const s of [admin, support]) await s.context.close();
  });

  test('[ANONYMOUS][LOCKOUT]: five wrong passwords from one address are one audit entry with the email and the address', async ({ browser }) => {
    const admin = await adminBrowser(browser);
    const user = await createUser(admin.context.request, 'MANAGER', 'Locked Out');
    const guesser = await browser.newContext();
    const page = await guesser.newPage();
    await page.goto('/signin');
    for (let i = 0; i < 7; i++) {
      await submitSignIn(page, user.email, `wrong-password-${i}`);
      await expect(page.getByText('Email or password is incorrect.')).toBeVisible();
      await page.goto('/signin');
    }
    await admin.page.goto(`/audit?action=signin.lockout&target=${encodeURIComponent(user.email)}`);
    const entry = admin.page.getByRole('table').getByRole('row').filter({ hasText: 'signin.lockout' });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(user.email);
    await expect(entry).toContainText(/127\.0\.0\.1/);
    await expect(entry).toContainText('system:sign-in-throttle');
    await guesser.close();
    await admin.context.close();
  });
});

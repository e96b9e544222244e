import { expect, test } from './fixtures';
import { SIGN_IN_FAILED } from '../lib/auth/errors';
import { ROLES } from '../lib/auth/permissions';
import { DEMO_PASSWORD, mainNav, NAV_BY_ROLE, signIn, submitSignIn, uniqueEmail } from './helpers';

for (const role of ROLES) {
  test(`[${role}][SIGN-IN]: reaches the dashboard and sees its navigation`, async ({ page }) => {
    const user = await signIn(page, role);
    await expect(page).toHaveURL('/');
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-user')).toContainText(role === 'ADMIN' ? 'Admin' : role === 'SUPPORT' ? 'Support' : 'Manager');
    await expect(mainNav(page).getByRole('link')).toHaveText(NAV_BY_ROLE[role]);

    const me = await page.request.get('/api/me');
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: user.email, role } });
  });
}

test('[MANAGER][USERS]: opening /users directly shows a refusal, not the user list', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await page.goto('/users');
  await expect(page.getByText('You do not have permission to manage users.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('[VISITOR][SIGN-IN]: a wrong password and an unknown email get the same message', async ({ page }) => {
  await page.goto('/signin');
  await submitSignIn(page, 'support@certfleet.local', 'not-the-password');
  await expect(page.getByRole('status')).toHaveText(SIGN_IN_FAILED);
  await expect(page).toHaveURL(/\/signin/);

  await submitSignIn(page, 'nobody-here@certfleet.local', 'not-the-password');
  await expect(page.getByRole('status')).toHaveText(SIGN_IN_FAILED);
  await expect(page.getByLabel('Password')).toHaveValue('');
  expect((await page.request.get('/api/me')).status()).toBe(401);
});

test('[VISITOR][SIGN-IN]: returns to the page asked for, but never to another site', async ({ page }) => {
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fsettings/);
  await submitSignIn(page, 'manager@certfleet.local', DEMO_PASSWORD);
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page).toHaveURL('/settings');

  await page.context().clearCookies();
  await page.goto('/signin?callbackUrl=https%3A%2F%2Fevil.example%2F');
  await submitSignIn(page, 'manager@certfleet.local', DEMO_PASSWORD);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL!).host);
});

test('[SUPPORT][SIGN-OUT]: signing out ends the session', async ({ page, browser }) => {
  // A SUPPORT user of its own: signing out ends every session of the user, and the demo SUPPORT sign-in belongs
  // to the specs running beside this one.
  const admin = await browser.newContext();
  await signIn(await admin.newPage(), 'ADMIN');
  const email = uniqueEmail('sign-out');
  expect((await admin.request.post('/api/users', { data: { email, name: 'Signs Out', role: 'SUPPORT', password: DEMO_PASSWORD } })).status()).toBe(201);
  await admin.close();
  await page.goto('/signin');
  await submitSignIn(page, email, DEMO_PASSWORD);
  await expect(page.getByTestId('current-user')).toContainText('Signs Out');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  expect((await page.request.get('/api/me')).status()).toBe(401);
  await page.goto('/devices');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdevices/);
});

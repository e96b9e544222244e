import { type APIRequestContext, type Browser, request as playwrightRequest } from '@playwright/test';
import { expect, test } from './fixtures';
import type { RoleName } from '../lib/auth/permissions';
import { signIn, uniqueEmail } from './helpers';

const REFUSED = 'You do not have permission to manage users.';

/** A signed-in API client for `role`, sharing the cookies of a fresh browser context. */
async function sessionFor(browser: Browser, role: RoleName) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, role);
  return { context, page, request: context.request };
}

async function findUserByEmail(admin: APIRequestContext, email: string) {
  const response = await admin.get(`/api/users?q=${encodeURIComponent(email)}`);
  expect(response.status()).toBe(200);
  const { rows } = (await response.json()) as { rows: { id: string; email: string; role: string }[] };
  return rows.find((row) => row.email === email) ?? null;
}

const newUserBody = (email: string) => ({ email, name: 'Should Not Exist', role: 'ADMIN', password: 'long-enough-password' });

test.describe('route handlers refuse without the permission', () => {
  for (const role of ['MANAGER', 'SUPPORT'] as const) {
    test(`[${role}][API]: cannot create, change or list users`, async ({ browser }) => {
      const admin = await sessionFor(browser, 'ADMIN');
      const other = await sessionFor(browser, role);
      const email = uniqueEmail(`api-${role.toLowerCase()}`);

      const create = await other.request.post('/api/users', { data: newUserBody(email) });
      expect(create.status()).toBe(403);
      expect(await create.json()).toEqual({ error: { code: 'FORBIDDEN', message: REFUSED } });

      const adminRow = await findUserByEmail(admin.request, 'admin@certfleet.local');
      const promote = await other.request.patch(`/api/users/${adminRow!.id}`, { data: { role: 'MANAGER' } });
      expect(promote.status()).toBe(403);
      expect((await other.request.get('/api/users')).status()).toBe(403);

      expect(await findUserByEmail(admin.request, email)).toBeNull();
      expect((await findUserByEmail(admin.request, 'admin@certfleet.local'))?.role).toBe('ADMIN');
      await admin.context.close();
      await other.context.close();
    });
  }

  test('[VISITOR][API]: every route answers 401 without a session', async ({ baseURL }) => {
    const anonymous = await playwrightRequest.newContext({ baseURL });
    expect((await anonymous.get('/api/me')).status()).toBe(401);
    expect((await anonymous.get('/api/users')).status()).toBe(401);
    expect((await anonymous.post('/api/users', { data: newUserBody(uniqueEmail('anon')) })).status()).toBe(401);
    expect((await anonymous.patch('/api/users/anything', { data: { disabled: true } })).status()).toBe(401);
    await anonymous.dispose();
  });

  test('[ADMIN][API]: the same route creates the user (the refusals above are not a broken route)', async ({ browser }) => {
    const admin = await sessionFor(browser, 'ADMIN');
    const email = uniqueEmail('api-admin');
    const create = await admin.request.post('/api/users', { data: { ...newUserBody(email), role: 'SUPPORT' } });
    expect(create.status()).toBe(201);
    expect(await findUserByEmail(admin.request, email)).toMatchObject({ email, role: 'SUPPORT' });
    await admin.context.close();
  });
});

test('[MANAGER][ACTION]: replaying the create-user server action is refused; the same request as ADMIN works', async ({ browser, baseURL }) => {
  // Record the exact POST the Users page sends for createUserAction (action id, router state,
  // multipart body), then send it again under other sessions with only the email changed.
  const admin = await sessionFor(browser, 'ADMIN');
  await admin.page.goto('/users');
  const viaUi = uniqueEmail('ui');
  await admin.page.getByRole('button', { name: 'New user' }).click();
  const dialog = admin.page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill(viaUi);
  await dialog.getByLabel('Name').fill('Made In The UI');
  await dialog.getByLabel('Role').selectOption('MANAGER');
  await dialog.getByLabel('Initial password').fill('made-in-the-ui-pw');
  const [actionRequest] = await Promise.all([
    admin.page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']),
    dialog.getByRole('button', { name: 'Create user' }).click(),
  ]);
  await expect(admin.page.getByText(`Created ${viaUi}.`)).toBeVisible();
  await admin.page.getByLabel('Search name or email').fill(viaUi);
  const table = admin.page.getByRole('table', { name: 'Users' });
  await expect(table.getByRole('cell', { name: viaUi, exact: true })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2); // the header and the one match

  const headers = actionRequest.headers();
  const replayHeaders = Object.fromEntries(
    ['next-action', 'next-router-state-tree', 'content-type', 'accept', 'origin'].filter((h) => headers[h]).map((h) => [h, headers[h]]),
  );
  const body = actionRequest.postDataBuffer()!.toString('utf8');
  expect(body).toContain(viaUi);
  const replay = (client: APIRequestContext, email: string) =>
    client.post(actionRequest.url(), { headers: replayHeaders, data: Buffer.from(body.replaceAll(viaUi, email), 'utf8') });

  const manager = await sessionFor(browser, 'MANAGER');
  const asManager = uniqueEmail('action-manager');
  const managerResponse = await replay(manager.request, asManager);
  expect(await managerResponse.text()).toContain(REFUSED);

  const anonymous = await playwrightRequest.newContext({ baseURL });
  const asNobody = uniqueEmail('action-anon');
  expect(await (await replay(anonymous, asNobody)).text()).toContain('You are not signed in.');

  const asAdmin = uniqueEmail('action-admin');
  const adminResponse = await replay(admin.request, asAdmin);
  expect(await adminResponse.text()).toContain(`Created ${asAdmin}.`);

  expect(await findUserByEmail(admin.request, asManager)).toBeNull();
  expect(await findUserByEmail(admin.request, asNobody)).toBeNull();
  expect(await findUserByEmail(admin.request, asAdmin)).toMatchObject({ role: 'MANAGER' });

  // The user made through the UI can sign in with the password the admin set.
  const fresh = await browser.newContext();
  const page = await fresh.newPage();
  await page.goto('/signin');
  await page.getByLabel('Email').fill(viaUi);
  await page.getByLabel('Password').fill('made-in-the-ui-pw');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('current-user')).toContainText('Made In The UI');

  await Promise.all([admin.context.close(), manager.context.close(), fresh.close(), anonymous.dispose()]);
});

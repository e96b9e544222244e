import { randomBytes } from 'node:crypto';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { type E2EStack, readStack } from './stack';

/*
 * Seed 001 steps 5 and 6 through the UI: an ADMIN turns mTLS on for a host (the association reaches
 * the local Cloudflare's API), the enforcement check goes green behind the local edge, and removing
 * the association turns the host red on the Overview.
 */

const PAGES_TO_WARM = ['/signin', '/api/auth/csrf', '/api/auth/session', '/', '/mtls'];
// Under `next dev` (E2E_DEV=1) the first request to a page compiles it; do that before the clock of the first test starts.
test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  for (const path of PAGES_TO_WARM) await request.get(path, { timeout: 170_000, maxRedirects: 0 }).catch(() => undefined);
});

/** The stack file is shared by every e2e server on this machine: make sure it describes ours. */
function ourStack(baseURL: string | undefined): E2EStack {
  const stack = readStack();
  expect(stack.baseURL, 'e2e-stack.json was written by another e2e server (another E2E_PORT)').toBe(baseURL);
  return stack;
}

async function associations(stack: E2EStack): Promise<string[]> {
  const res = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/certificate_authorities/hostname_associations`, {
    headers: { authorization: `Bearer ${stack.cloudflare.apiToken}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()).result.hostnames;
}

async function runCheck(page: Page) {
  await page.getByRole('button', { name: 'Run enforcement check' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Checked \d+ host/ })).toBeVisible();
}

const hostRow = (page: Page, host: string) => page.getByRole('table', { name: 'mTLS hosts' }).getByRole('row').filter({ hasText: host });

test('[ADMIN][MTLS]: turn mTLS on, the check goes green; remove it, the Overview goes red', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const stack = ourStack(baseURL);
  const host = `sensors-${randomBytes(3).toString('hex')}.acme-corp.com`;
  await signIn(page, 'ADMIN');
  await page.goto('/mtls');
  const form = page.getByRole('form', { name: 'Turn on mTLS for a host' });

  // Validation in the browser and the server's duplicate rule.
  await form.getByLabel('Turn on mTLS for a host').fill('https://bad host/');
  await form.getByRole('button', { name: 'Require client certificates' }).click();
  await expect(form.getByText('Enter only the hostname')).toBeVisible();

  await form.getByLabel('Turn on mTLS for a host').fill(host);
  await form.getByRole('button', { name: 'Require client certificates' }).click();
  await expect(form.getByText(`Client certificates are now requested on ${host}`)).toBeVisible();
  expect(await associations(stack)).toContain(host);
  await expect(hostRow(page, host)).toContainText('Requested');

  await form.getByLabel('Turn on mTLS for a host').fill(host.toUpperCase());
  await form.getByRole('button', { name: 'Require client certificates' }).click();
  await expect(form.getByText(`${host} already requires client certificates.`)).toBeVisible();

  await runCheck(page);
  await expect(hostRow(page, host).getByText('Enforced', { exact: true })).toBeVisible();
  await expect(hostRow(page, host)).toContainText('Without a certificate: refused (403');
  await expect(hostRow(page, host)).toContainText('With a revoked certificate: refused (403');

  await page.goto('/');
  const section = page.getByRole('region', { name: 'mTLS enforcement' });
  await expect(section).not.toContainText(`Not enforced: ${host}`);

  // Remove the association: the API loses it, the check and the Overview turn red.
  await page.goto('/mtls');
  await hostRow(page, host).getByRole('button', { name: `Remove mTLS from ${host}` }).click();
  await expect(hostRow(page, host)).toContainText('Not requested');
  expect(await associations(stack)).not.toContain(host);
  await runCheck(page);
  await expect(hostRow(page, host).getByText('Not enforced', { exact: true })).toBeVisible();
  await expect(hostRow(page, host)).toContainText('no hostname association');

  await page.goto('/');
  await expect(section).toHaveAttribute('data-state', 'not-enforced');
  await expect(section.getByRole('list', { name: 'Hosts not enforced' })).toContainText(`Not enforced: ${host}`);

  // Stop watching: the host leaves the page and the Overview.
  await page.goto('/mtls');
  await hostRow(page, host).getByRole('button', { name: `Stop watching ${host}` }).click();
  await expect(hostRow(page, host)).toHaveCount(0);
  await page.goto('/');
  await expect(section).not.toContainText(host);
});

for (const role of ['SUPPORT', 'MANAGER'] as const) {
  test(`[${role}][MTLS]: sees the hosts and their checks but no controls`, async ({ page }) => {
    await signIn(page, role);
    await page.goto('/mtls');
    await expect(page.getByRole('heading', { level: 1, name: 'mTLS hosts' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'mTLS hosts' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Run enforcement check' })).toHaveCount(0);
    await expect(page.getByRole('form', { name: 'Turn on mTLS for a host' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Remove mTLS from/ })).toHaveCount(0);
  });
}

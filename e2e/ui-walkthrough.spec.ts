import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Locator, type Page } from '@playwright/test';
import { expect, test, waitForHydration } from './fixtures';
import { mainNav, signIn } from './helpers';
import { cloudflareStatus, configureCloudflare, seededDevice, sql } from './inventory';

/*
 * What a person meets walking the console: each test here failed on the code before the fix it
 * names. The key-loss guard first: a key made in the browser exists only in that tab.
 */

const suffix = () => randomBytes(3).toString('hex');

/** Records every confirm() the page raises and answers it with `accept`. */
function answerConfirms(page: Page, accept: () => boolean): string[] {
  const seen: string[] = [];
  page.on('dialog', (dialog) => {
    seen.push(dialog.message());
    void (accept() ? dialog.accept() : dialog.dismiss());
  });
  return seen;
}

async function enrollWithBrowserKey(page: Page): Promise<string> {
  const name = `e2e-guard-${suffix()}`;
  await page.goto('/devices/enroll');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Enroll device' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Enrolled ${name}` })).toBeVisible();
  await expect(page.getByText('Save the private key now.')).toBeVisible();
  return name;
}

test('[ADMIN][KEY GUARD]: with the browser-made key not downloaded, View device, a sidebar link and Back ask first; after the download they do not', async ({ page }) => {
  await signIn(page, 'ADMIN');
  const confirms = answerConfirms(page, () => false);
  await enrollWithBrowserKey(page);

  // "View device": asked, refused, still here with the key on offer.
  await page.getByRole('link', { name: 'View device' }).click();
  await expect.poll(() => confirms.length).toBe(1);
  expect(confirms[0]).toContain('private key');
  await expect(page).toHaveURL(/\/devices\/enroll$/);
  await expect(page.getByRole('button', { name: 'Private key (PEM)' })).toBeVisible();

  // Any sidebar link: the same.
  await mainNav(page).getByRole('link', { name: 'Certificates' }).click();
  await expect.poll(() => confirms.length).toBe(2);
  await expect(page).toHaveURL(/\/devices\/enroll$/);
  await expect(page.getByRole('button', { name: 'Private key (PEM)' })).toBeVisible();

  // The browser's Back button: asked, refused, the page and its key stay.
  await page.goBack({ waitUntil: 'commit' }).catch(() => null);
  await expect.poll(() => confirms.length).toBe(3);
  await expect(page).toHaveURL(/\/devices\/enroll$/);
  await expect(page.getByRole('button', { name: 'Private key (PEM)' })).toBeVisible();

  // "Enroll another" would drop the key too.
  await page.getByRole('button', { name: 'Enroll another' }).click();
  await expect.poll(() => confirms.length).toBe(4);
  await expect(page.getByRole('button', { name: 'Private key (PEM)' })).toBeVisible();

  // Saved: the way out is free.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Private key (PEM)' }).click()]);
  expect(file.suggestedFilename()).toMatch(/-key\.pem$/);
  await page.getByRole('link', { name: 'View device' }).click();
  await expect(page).toHaveURL(/\/devices\/(?!enroll)[^/]+$/);
  expect(confirms).toHaveLength(4);
});

test('[ADMIN][KEY GUARD]: agreeing to leave leaves', async ({ page }) => {
  await signIn(page, 'ADMIN');
  const confirms = answerConfirms(page, () => true);
  await enrollWithBrowserKey(page);
  await mainNav(page).getByRole('link', { name: 'Certificates' }).click();
  await expect(page).toHaveURL(/\/certificates$/);
  expect(confirms).toHaveLength(1);
});

test('[ADMIN][ENROLL CSR]: own-CSR mode tells each problem once, at the CSR, and fills the name from its CN', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/devices/enroll');
  // No grey example that looks like a value.
  await expect(page.getByLabel('Name', { exact: true })).not.toHaveAttribute('placeholder', /.+/);
  await page.getByRole('radio', { name: /Use the device's own CSR/ }).check();
  await page.getByRole('button', { name: 'Enroll device' }).click();
  await expect(page.getByText('Paste or upload the CSR.')).toBeVisible();
  await expect(page.getByText('Enter a common name.')).toHaveCount(0);
  await expect(page.getByText("Taken from the CSR: the certificate carries the CSR's subject.")).toHaveCount(0);

  // A broken CSR: its problem shows once (in the summary), not again under the field.
  await page.getByLabel('Certificate signing request (PEM)').fill('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----');
  const summary = page.getByTestId('csr-summary');
  await expect(summary).toContainText('This CSR would be refused');
  const problem = (await summary.locator('li').first().textContent())!;
  await page.getByRole('button', { name: 'Enroll device' }).click();
  await expect(page.getByText('This CSR would be refused: see why below.')).toBeVisible();
  await expect(page.getByText(problem, { exact: true })).toHaveCount(1);
  // No library wording reaches the person.
  await expect(summary).not.toContainText(/argument|Base64Url|Unsupported format/);

  // A real CSR (openssl, as on a device): the name comes from its CN, and nothing is left to complain about.
  const cn = `e2e-csr-${suffix()}`;
  const csr = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=${cn}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await page.getByLabel('Certificate signing request (PEM)').fill(csr);
  await expect(summary).toContainText('The CSR checks out');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(cn);
  await expect(page.getByLabel('Common name (CN)')).toHaveValue(cn);
  await expect(page.getByText("Taken from the CSR: the certificate carries the CSR's subject.")).toBeVisible();
});

test('[ADMIN][DEVICES]: a page past the end says so and links to the last page', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/devices?page=99');
  const table = page.getByRole('table', { name: 'Devices' });
  await expect(table.getByTestId('past-the-end')).toContainText('There is no page 99');
  await expect(table).not.toContainText('No devices yet.');
  await table.getByRole('link', { name: /Go to page \d+/ }).click();
  await expect(table.locator('tbody tr').first().getByRole('link').first()).toBeVisible();
  await expect(page).not.toHaveURL(/page=99/);
});

test('[ADMIN][DEVICES]: a search typed then a filter chosen at once keeps both; two quick filter changes keep both', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/devices');
  const search = page.getByPlaceholder('Name, CN, serial, SKI or fingerprint');
  // One clear button: ours. A type=search box would add the browser's own next to it.
  await expect(search).toHaveAttribute('type', 'text');
  await expect(page.getByRole('searchbox')).toHaveCount(1);

  await search.fill('lab');
  await page.getByLabel('Status').selectOption('ACTIVE');
  await expect(page).toHaveURL(/[?&]q=lab(&|$)/);
  await expect(page).toHaveURL(/[?&]status=ACTIVE(&|$)/);
  await expect(search).toHaveValue('lab');

  await page.getByLabel('Group').selectOption('lab');
  await page.getByLabel('Last seen').selectOption({ index: 1 });
  await expect(page).toHaveURL(/[?&]group=lab(&|$)/);
  await expect(page).toHaveURL(/[?&]lastSeen=[^&]+/);
  await expect(page).toHaveURL(/[?&]q=lab(&|$)/);
  await expect(page).toHaveURL(/[?&]status=ACTIVE(&|$)/);
});

/** Opens the device page and revokes its one certificate with "Superseded"; returns the result dialog. */
async function revokeFromDevicePage(page: Page, deviceId: string) {
  await page.goto(`/devices/${deviceId}`);
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
  await dialog.getByLabel('Superseded').check();
  await dialog.getByRole('button', { name: 'Revoke 1 certificate' }).click();
  return page.getByRole('dialog', { name: 'Revocation' });
}

test('[SUPPORT][REVOKE DIALOG]: the result follows Cloudflare from pending to revoked without being closed, and the revoked certificate shows no days left', async ({ page }) => {
  const device = await seededDevice('warehouse-07');
  await signIn(page, 'SUPPORT');
  const result = await revokeFromDevicePage(page, device.deviceId);
  const live = result.getByTestId('live-revocation');
  // The e2e Cloudflare completes a revocation in seconds: the open dialog says so when it happens.
  await expect(live).toHaveAttribute('data-status', 'REVOKED');
  await expect(live).toContainText('Revoked');
  await expect(result.getByRole('button', { name: /Undo revocation/ })).toHaveCount(0);
  await result.getByRole('button', { name: 'Close' }).last().click();
  const row = page.locator(`tr[data-certificate-id="${device.certificateId}"]`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'REVOKED');
  await expect(row).not.toContainText(/days? left/);
  await expect(row.locator('[data-expiry="revoked"]')).toBeVisible();
});

test('[SUPPORT][REVOKE DIALOG]: while pending, the result itself offers Undo, counts the time, and shows the undo landing', async ({ page }) => {
  const device = await seededDevice('warehouse-08');
  await signIn(page, 'SUPPORT');
  const previous = await configureCloudflare({ revocationDelayMs: 120_000 });
  let result;
  try {
    result = await revokeFromDevicePage(page, device.deviceId);
    await expect(result.getByTestId('live-revocation')).toHaveAttribute('data-status', 'PENDING_REVOCATION');
  } finally {
    await configureCloudflare(previous);
  }
  await expect(result.getByTestId('live-revocation')).toContainText(/Pending for \d+ s/);
  await result.getByRole('button', { name: /Undo revocation/ }).click();
  await expect(result.getByTestId('live-revocation')).toHaveAttribute('data-status', 'ACTIVE');
  expect(await cloudflareStatus(device.cloudflareId)).toBe('active');
});

test('[ADMIN][OVERVIEW]: the page ends where its content ends, and the forecast names each month once', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/');
  const forecast = page.getByTestId('expiry-forecast');
  await expect(forecast.locator('.recharts-cartesian-axis-tick-value').first()).toBeVisible();
  // The x axis' labels are month names; the y axis' are counts.
  const labels = (await forecast.locator('.recharts-cartesian-axis-tick-value').allTextContents()).filter((t) => /^[A-Z][a-z]{2}$/.test(t.trim()));
  expect(labels.length).toBeGreaterThan(6);
  // Each month once, in order: no "Feb Feb" (the window may start and end in the same month a year apart).
  expect(labels.filter((l, i) => i > 0 && l === labels[i - 1]), labels.join(' ')).toEqual([]);
  expect(labels.length, labels.join(' ')).toBeLessThanOrEqual(13);
  // Nothing hidden takes room below the content: the document is no taller than the main column.
  const blank = await page.evaluate(() => document.documentElement.scrollHeight - Math.ceil(document.querySelector('main')!.getBoundingClientRect().bottom + window.scrollY));
  expect(blank).toBeLessThanOrEqual(1);
});

test('[ADMIN][ICONS]: favicon, app icons and manifest are served, signed out too', async ({ page }) => {
  for (const [path, type] of [
    ['/favicon.ico', /image\/(x-icon|vnd\.microsoft\.icon)/],
    ['/apple-touch-icon.png', /image\/png/],
    ['/icon-192.png', /image\/png/],
    ['/manifest.webmanifest', /manifest\+json|application\/json/],
  ] as const) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()['content-type'], path).toMatch(type);
  }
  await signIn(page, 'ADMIN');
  await page.goto('/');
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
});

test('[ADMIN][AUDIT]: times carry seconds and details read as labelled fields', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/audit');
  const table = page.getByRole('table', { name: 'Audit log' });
  await expect(table.locator('tbody tr time').first()).toHaveText(/\d{1,2}:\d{2}:\d{2}\s?(AM|PM) UTC/);
  const details = table.getByTestId('audit-details').first();
  await expect(details).toBeVisible();
  await expect(details.locator('dt').first()).toBeVisible();
  // Nothing cut at the right edge at 1440 px: the details column's content fits in its cell.
  await page.setViewportSize({ width: 1440, height: 900 });
  const clipped = await details.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
  expect(clipped).toBe(false);
});

test('[SUPPORT][KEYBOARD]: the first Tab offers "Skip to content", and it lands in the page', async ({ page }) => {
  await signIn(page, 'SUPPORT');
  await page.goto('/devices');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  // The next Tab is inside the page, not back in the sidebar.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);
});

test('[SUPPORT][KEYBOARD]: Enter on a sort header sorts and leaves the focus on that header', async ({ page }) => {
  await signIn(page, 'SUPPORT');
  await page.goto('/devices');
  await waitForHydration(page);
  const header = page.locator('button[data-sort-column="group"]');
  await header.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]sort=group/);
  await expect(page.locator('th[aria-sort] button[data-sort-column="group"]')).toBeVisible();
  await expect(page.locator('button[data-sort-column="group"]')).toBeFocused();
  // Again: the other direction, still on the header, so a keyboard user can keep choosing.
  const before = page.url();
  await page.keyboard.press('Enter');
  await expect(page).not.toHaveURL(before);
  await expect(page.locator('button[data-sort-column="group"]')).toBeFocused();
});

/**
 * Presses Tab until `target` has the focus, as a keyboard user does (at most `max` presses): proves the
 * control is reachable in the tab order, not just present.
 */
async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  await expect(target).toBeVisible();
  const handle = await target.elementHandle();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await handle!.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${max} Tabs did not reach ${target}`);
}

test('[SUPPORT][KEYBOARD JOURNEY]: finds a serial and revokes it without the mouse', async ({ page }) => {
  // A device no other spec picks (the doctor's spec revokes "the second active demo certificate by name").
  const device = await seededDevice('warehouse-04');
  await signIn(page, 'SUPPORT');
  await page.goto('/devices');
  await waitForHydration(page);
  await tabTo(page, page.getByPlaceholder('Name, CN, serial, SKI or fingerprint'));
  await page.keyboard.type(device.serialNumber);
  const table = page.getByRole('table', { name: 'Devices' });
  const link = table.getByRole('link', { name: device.deviceName, exact: true });
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await tabTo(page, link);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: device.deviceName, level: 1 })).toBeVisible();
  await waitForHydration(page);

  await tabTo(page, page.getByRole('button', { name: 'Revoke', exact: true }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
  await expect(dialog).toBeVisible();
  // The reasons are one radio group: Tab reaches it, the arrow keys choose.
  const keyCompromise = dialog.getByLabel('Key compromise');
  for (let i = 0; i < 40 && !(await dialog.getByRole('radio').evaluateAll((radios) => radios.includes(document.activeElement as HTMLElement))); i++) {
    await page.keyboard.press('Tab');
  }
  for (let i = 0; i < 10 && !(await keyCompromise.isChecked()); i++) await page.keyboard.press('ArrowDown');
  await expect(keyCompromise).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Revoke 1 certificate' }));
  await page.keyboard.press('Enter');
  const result = page.getByRole('dialog', { name: 'Revocation' });
  await expect(result.getByRole('status').filter({ hasText: '1 certificate revoked' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(result).toBeHidden();
  const row = page.locator(`tr[data-certificate-id="${device.certificateId}"]`);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', /PENDING_REVOCATION|REVOKED/);
  await expect(row).toContainText('Key compromise');
});

test('[MANAGER][KEYBOARD JOURNEY]: opens a device chart from the fleet view without the mouse', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await page.goto('/readings');
  await waitForHydration(page);
  const drawn = page.getByRole('list', { name: 'Drawn devices' }).getByRole('link').first();
  const name = (await drawn.textContent())!.trim();
  await tabTo(page, drawn);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/readings\/[^/?]+/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await expect(page.locator('.recharts-surface').first()).toBeVisible();
});

test('[MANAGER][TITLES]: a device page names the device in the tab; an empty filtered list offers "Clear filters"', async ({ page }) => {
  // Any demo device: its certificates may have been renewed or revoked by an earlier spec, the title does not care.
  const [device] = await sql<{ id: string; name: string }>('SELECT id, name FROM "Device" WHERE name = $1', ['cold-storage-02']);
  await signIn(page, 'MANAGER');
  await page.goto(`/devices/${device!.id}`);
  await expect(page).toHaveTitle(`${device!.name} · certfleet`);
  await page.goto('/devices?q=no-such-device-anywhere');
  const table = page.getByRole('table', { name: 'Devices' });
  await expect(table).toContainText('No devices match these filters.');
  await table.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/devices$/);
  await expect(table.locator('tbody tr').first().getByRole('link').first()).toBeVisible();
});

test('[SUPPORT][NOT FOUND]: an unknown id on every record page answers HTTP 404 with "Page not found"; a known one 200', async ({ page }) => {
  const [device] = await sql<{ id: string }>('SELECT id FROM "Device" WHERE name = $1', ['cold-storage-02']);
  await signIn(page, 'SUPPORT');
  const known = await page.goto(`/devices/${device!.id}`);
  expect(known!.status()).toBe(200);
  for (const path of ['/devices/no-such-device', '/certificates/no-such-certificate', '/custom-csrs/no-such-csr', '/alerts/no-such-alert', '/readings/no-such-device']) {
    const answer = await page.goto(path);
    expect({ path, status: answer!.status() }).toEqual({ path, status: 404 });
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
});

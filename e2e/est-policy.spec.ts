import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { sql } from './inventory';

/*
 * An ADMIN sets a group's EST policy on /est (bad input first: a message, nothing saved), and the renewal planner
 * shows the group's certificates moving: with the default window (the last 30 % of the lifetime) a year-long
 * certificate with 65 days left is already in its window; with "60 days before expiry" it enters it this week.
 * The Overview links to the at-risk list. The spec's fleet is its own group, made in the database.
 */

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  for (const p of ['/signin', '/api/auth/csrf', '/api/auth/session', '/', '/est', '/est/planner']) await request.get(p, { timeout: 170_000, maxRedirects: 0 }).catch(() => undefined);
});

const DAY = 86_400_000;

async function deviceWithCertificate(group: string, name: string, o: { lastSeenDaysAgo: number; issuedDaysAgo: number; expiresInDays: number }) {
  const now = Date.now();
  const hex = randomBytes(16).toString('hex');
  await sql(
    `INSERT INTO "Device" (id, name, "group", "commonName", status, "lastSeenAt", "reportIntervalSec", "updatedAt")
     VALUES ($1, $2, $3, $4, 'ACTIVE', $5, 60, now())`,
    [`dev_${name}`, name, group, `${name}.devices.test`, new Date(now - o.lastSeenDaysAgo * DAY)],
  );
  await sql(
    `INSERT INTO "Certificate" (id, "cloudflareId", "deviceId", "serialNumber", ski, "fingerprintSha256", "commonName", "keyType", "keySize",
                                "issuedOn", "expiresOn", "validityDays", pem, csr, "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'EC', 256, $8, $9, $10, 'planner e2e', 'planner e2e', now())`,
    [
      `cert_${name}`,
      `cf-${hex}`,
      `dev_${name}`,
      hex.slice(0, 20).toUpperCase(),
      hex,
      `${hex}${hex}`,
      `${name}.devices.test`,
      new Date(now - o.issuedDaysAgo * DAY),
      new Date(now + o.expiresInDays * DAY),
      o.issuedDaysAgo + o.expiresInDays,
    ],
  );
}

test('[ADMIN][EST policy]: a group policy changes what the renewal planner shows; the Overview links to the at-risk list', async ({ page }) => {
  const tag = randomBytes(3).toString('hex');
  const group = `plan-e2e-${tag}`;
  // Reports every minute, a year-long certificate with 65 days left.
  await deviceWithCertificate(group, `plan-e2e-${tag}-live`, { lastSeenDaysAgo: 0, issuedDaysAgo: 300, expiresInDays: 65 });
  // Silent for 20 days, 10 days left: it will not be back in time.
  await deviceWithCertificate(group, `plan-e2e-${tag}-silent`, { lastSeenDaysAgo: 20, issuedDaysAgo: 355, expiresInDays: 10 });

  await signIn(page, 'ADMIN');
  const weekZero = () => page.getByRole('table', { name: 'Renewals per week' }).locator('tr[data-week="0"]').getByRole('cell').nth(1);
  const atRisk = () => page.getByRole('table', { name: 'Certificates at risk' });

  await page.goto(`/est/planner?group=${group}`);
  await expect(page.getByText('2 live device certificates, renewed in the last 30 % of its lifetime')).toBeVisible();
  await expect(weekZero()).toHaveText('0');
  // The live device reported inside its (30 %) window without renewing; the silent one will not be back.
  await expect(atRisk().getByRole('row').filter({ hasText: `plan-e2e-${tag}-live` })).toContainText('missed its window');
  await expect(atRisk().getByRole('row').filter({ hasText: `plan-e2e-${tag}-silent` })).toContainText('device silent');

  await page.goto('/est');
  const form = page.getByRole('form', { name: 'EST policy' });
  await form.getByLabel('Group').selectOption(group);
  await form.getByLabel('Renewal window').selectOption('DAYS');
  // Bad input: a message beside the field, nothing saved.
  await form.getByLabel('Window (days before expiry)').fill('0');
  await form.getByRole('button', { name: 'Save policy' }).click();
  await expect(form.getByText('At least 1 day.')).toBeVisible();
  const policyRow = page.getByRole('table', { name: 'EST policies' }).getByRole('row').filter({ hasText: group });
  await expect(policyRow).toContainText('defaults');

  await form.getByLabel('Group').selectOption(group);
  await form.getByLabel('Renewal window').selectOption('DAYS');
  await form.getByLabel('Window (days before expiry)').fill('60');
  await form.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText(`Saved group ${group}'s EST policy: renewal in the last 60 days before expiry`)).toBeVisible();
  await expect(policyRow).toContainText('the last 60 days before expiry');
  await expect(policyRow).toContainText('admin@');
  const [audit] = await sql<{ details: { changed: string[] } }>(`SELECT details FROM "AuditEvent" WHERE action = 'est.policy.update' AND "targetId" = $1`, [group]);
  expect(audit?.details.changed).toEqual(['windowMode', 'windowDays']);

  await page.goto(`/est/planner?group=${group}`);
  await expect(page.getByText(`2 live device certificates, renewed in the last 60 days before expiry`)).toBeVisible();
  await expect(weekZero()).toHaveText('1');
  await expect(atRisk().getByRole('row').filter({ hasText: `plan-e2e-${tag}-live` })).toHaveCount(0);
  await expect(atRisk().getByRole('row').filter({ hasText: `plan-e2e-${tag}-silent` })).toContainText('device silent');

  await page.goto('/');
  const link = page.getByRole('region', { name: 'Renewals at risk' }).getByRole('link', { name: /certificates? at risk of expiring before renewal/ });
  await expect(link).toBeVisible();
  expect(Number((await link.textContent())!.replace(/\D+/g, ''))).toBeGreaterThanOrEqual(1);
  await link.click();
  await expect(page).toHaveURL(/\/est\/planner#at-risk$/);
  await expect(page.getByRole('heading', { name: /^At risk: \d/ })).toBeVisible();
});

test('[SUPPORT][EST planner]: the at-risk list pages 100 at a time; a broken page link says so and shows the top', async ({ page }) => {
  const tag = randomBytes(3).toString('hex');
  const group = `plan-pages-${tag}`;
  const total = 105;
  // Devices that reported just now (daily reporters, so they stay healthy) whose certificates, issued 1,000 days ago,
  // expire in 201..305 days: each window opened months ago and the device reported since without renewing, so all are
  // at risk ("missed"), while none is near expiry or unhealthy enough for the demo's alert rules (other specs count alerts).
  const offset = 200;
  await sql(
    `INSERT INTO "Device" (id, name, "group", "commonName", status, "lastSeenAt", "reportIntervalSec", "updatedAt")
     SELECT 'dev_' || $1 || '_' || i, $1 || '-' || lpad(i::text, 3, '0'), $2, $1 || '-' || i || '.devices.test', 'ACTIVE',
            now(), 86400, now()
       FROM generate_series(1, $3::int) i`,
    [group, group, total],
  );
  await sql(
    `INSERT INTO "Certificate" (id, "cloudflareId", "deviceId", "serialNumber", ski, "fingerprintSha256", "commonName", "keyType", "keySize",
                                "issuedOn", "expiresOn", "validityDays", pem, csr, "updatedAt")
     SELECT 'cert_' || $1 || '_' || i, 'cf-' || $1 || '-' || i, 'dev_' || $1 || '_' || i, upper(md5($1 || i)), md5('ski' || $1 || i),
            md5('a' || $1 || i) || md5('b' || $1 || i), $1 || '-' || i || '.devices.test', 'EC', 256,
            now() - interval '1000 days', now() + ($3::int + i) * interval '1 day', 1000 + $3::int + i, 'planner e2e', 'planner e2e', now()
       FROM generate_series(1, $2::int) i`,
    [group, total, offset],
  );

  await signIn(page, 'SUPPORT');
  const atRisk = page.getByRole('table', { name: 'Certificates at risk' });
  const pages = page.getByRole('navigation', { name: 'At-risk pages' });
  await page.goto(`/est/planner?group=${group}`);
  await expect(page.getByText(`1–100 of ${total} shown`)).toBeVisible();
  await expect(atRisk.getByRole('row')).toHaveCount(101); // the header row and 100
  await expect(atRisk.getByRole('row').nth(1)).toContainText(`${group}-001`);
  await expect(pages.getByRole('link', { name: 'First page' })).toHaveCount(0);

  await pages.getByRole('link', { name: 'Next 100' }).click();
  await expect(page.getByText(`101–${total} of ${total} shown`)).toBeVisible();
  await expect(atRisk.getByRole('row')).toHaveCount(total - 100 + 1);
  await expect(atRisk.getByRole('row').nth(1)).toContainText(`${group}-101`);
  await expect(pages.getByRole('link', { name: 'Next 100' })).toHaveCount(0);

  await pages.getByRole('link', { name: 'First page' }).click();
  await expect(page.getByText(`1–100 of ${total} shown`)).toBeVisible();

  await page.goto(`/est/planner?group=${group}&after=not-a-cursor`);
  await expect(page.getByRole('status').filter({ hasText: 'That page link is not one of this list' })).toBeVisible();
  await expect(page.getByText(`1–100 of ${total} shown`)).toBeVisible();
});

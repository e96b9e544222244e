import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { certificatesOf, estRequest, estUntilAnswered } from '../lib/est/client';
import { expect, test } from './fixtures';
import { mainNav, signIn } from './helpers';
import { sql } from './inventory';
import { readStack } from './stack';

/*
 * An ADMIN makes a one-time enrollment token for a device in the browser; a device (openssl key + CSR, real
 * TLS to the local edge with a bootstrap certificate) enrolls with it through EST; the stack's job worker
 * issues it; the ADMIN sees the request issued and the token used.
 */

// Under `next dev` (E2E_DEV=1) the first request to a page compiles it; do that before the clock of the first test starts.
test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  for (const p of ['/signin', '/api/auth/csrf', '/api/auth/session', '/', '/est', '/est/planner']) await request.get(p, { timeout: 170_000, maxRedirects: 0 }).catch(() => undefined);
});

function opensslKeyAndCsr(dir: string, cn: string): { keyPem: string; csrPem: string } {
  const key = path.join(dir, `${cn}.key`);
  const csr = path.join(dir, `${cn}.csr`);
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${cn}`, '-out', csr], { stdio: 'ignore' });
  return { keyPem: readFileSync(key, 'utf8'), csrPem: readFileSync(csr, 'utf8') };
}

test('[ADMIN][EST]: make a token in the browser, a device enrolls with it through the edge, the request shows as issued', async ({ page }) => {
  const stack = readStack();
  const dir = mkdtempSync(path.join(tmpdir(), 'certfleet-e2e-est-'));
  try {
    const name = `est-e2e-${randomBytes(3).toString('hex')}`;
    await sql(`INSERT INTO "Device" (id, name, "group", "commonName", status, "updatedAt") VALUES ($1, $2, 'est-e2e', $3, 'INACTIVE', now())`, [
      `dev_${name}`,
      name,
      `${name}.devices.test`,
    ]);

    await signIn(page, 'ADMIN');
    await page.goto('/est');
    const form = page.getByRole('form', { name: 'Make enrollment tokens' });
    // Bad input: nothing named, and an unknown device.
    await form.getByRole('button', { name: 'Make tokens' }).click();
    await expect(form.getByText('Name at least one device, or a group.')).toBeVisible();
    await form.getByLabel('Devices (names, one per line or comma-separated)').fill('no-such-device-here');
    await form.getByRole('button', { name: 'Make tokens' }).click();
    await expect(form.getByText('No device named "no-such-device-here".')).toBeVisible();

    await form.getByLabel('Devices (names, one per line or comma-separated)').fill(name);
    await form.getByLabel('Valid for (hours)').fill('2');
    await form.getByRole('button', { name: 'Make tokens' }).click();
    // Pushed to the edge as it was made: a device can enroll at once.
    await expect(page.getByText('1 enrollment token made.')).toContainText('Devices can use them now.');
    const token = (await page.getByTestId('new-token').first().textContent())!.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const tokenRow = page.getByRole('table', { name: 'Enrollment tokens' }).getByRole('row').filter({ hasText: name });
    await expect(tokenRow).toContainText('waiting');
    // Only its hash is stored.
    const [stored] = await sql<{ tokenHash: string }>(`SELECT "tokenHash" FROM "EnrollmentToken" WHERE "deviceId" = $1`, [`dev_${name}`]);
    expect(stored!.tokenHash).not.toContain(token);

    // The bootstrap certificate (seed 001): a zone certificate shipped with the app, not the device's own.
    const boot = opensslKeyAndCsr(dir, 'ios-bootstrap.devices.upinatoms.com');
    const res = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/client_certificates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.cloudflare.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csr: boot.csrPem, validity_days: 30 }),
    });
    const bootstrapPem = ((await res.json()) as { result: { certificate: string } }).result.certificate;

    const own = opensslKeyAndCsr(dir, `${name}.devices.test`);
    const client = { baseUrl: stack.edge.url, caPem: readFileSync(stack.edge.caFile, 'utf8'), certPem: bootstrapPem, keyPem: boot.keyPem };
    // The job worker pushes the token and issues within its 10 s slots; the device retries every second meanwhile.
    const answer = await estUntilAnswered(() => estRequest(client, 'simpleenroll', { csrPem: own.csrPem, basic: { user: name, password: token } }), {
      maxAttempts: 600,
      onPending: () => new Promise((r) => setTimeout(r, 1000)),
    });
    const [certPem] = certificatesOf(answer);
    expect(certPem).toContain('BEGIN CERTIFICATE');

    await page.reload();
    const requestRow = page.getByRole('table', { name: 'EST requests' }).getByRole('row').filter({ hasText: name });
    await expect(requestRow).toContainText('issued');
    await expect(requestRow).toContainText('enroll');
    await expect(page.getByRole('table', { name: 'Enrollment tokens' }).getByRole('row').filter({ hasText: name })).toContainText('used');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('[ADMIN][EST]: the sidebar leads to the renewal planner, and /est links to it', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/est');
  await mainNav(page).getByRole('link', { name: 'Renewal planner' }).click();
  await expect(page).toHaveURL(/\/est\/planner$/);
  await expect(page.getByRole('heading', { name: 'Renewal planner', level: 1 })).toBeVisible();
  // The planner is its own entry: it is the current page, EST enrollment is not.
  await expect(mainNav(page).getByRole('link', { name: 'Renewal planner' })).toHaveAttribute('aria-current', 'page');
  await expect(mainNav(page).getByRole('link', { name: 'EST enrollment' })).not.toHaveAttribute('aria-current', 'page');

  await mainNav(page).getByRole('link', { name: 'EST enrollment' }).click();
  await expect(page.getByRole('heading', { name: 'EST enrollment', level: 1 })).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Renewal planner' }).click();
  await expect(page).toHaveURL(/\/est\/planner$/);
});

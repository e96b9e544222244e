import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { type E2EStack, readStack } from './stack';

/*
 * Seed 004 end to end: an ADMIN has Cloudflare make a custom CSR, hands it to "the customer's CA"
 * (openssl with the local Cloudflare's public CA key), uploads what came back and sees the custom
 * hostname; bad certificates and an in-use delete are refused with clear messages.
 */

const PAGES_TO_WARM = ['/signin', '/api/auth/csrf', '/api/auth/session', '/', '/custom-csrs'];
// Under `next dev` (E2E_DEV=1) the first request to a page compiles it; do that before the clock of the first test starts.
test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  for (const path of PAGES_TO_WARM) await request.get(path, { timeout: 170_000, maxRedirects: 0 }).catch(() => undefined);
});

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'certfleet-e2e-csr-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stack file is shared by every e2e server on this machine: make sure it describes ours. */
function ourStack(baseURL: string | undefined): E2EStack {
  const stack = readStack();
  expect(stack.baseURL, 'e2e-stack.json was written by another e2e server (another E2E_PORT)').toBe(baseURL);
  return stack;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** "The customer's CA": the local Cloudflare's public CA signs the CSR, copying its SANs. */
function signWithPublicCa(stack: E2EStack, csrFile: string, out: string): string {
  const caKey = path.join(path.dirname(stack.cloudflare.publicCaFile), 'public-ca.key');
  openssl('x509', '-req', '-in', csrFile, '-CA', stack.cloudflare.publicCaFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '90', '-copy_extensions', 'copy', '-out', out);
  return readFileSync(path.join(dir, out), 'utf8');
}

async function createCsr(page: Page, cn: string, keyType: 'ECDSA P-256' | 'RSA 2048'): Promise<string> {
  await page.goto('/custom-csrs');
  await page.getByRole('button', { name: 'New custom CSR' }).click();
  const dialog = page.getByRole('dialog', { name: 'New custom CSR' });
  await dialog.getByLabel('Common name').fill(cn);
  await dialog.getByLabel('Organization', { exact: true }).fill('Acme Corp');
  await dialog.getByLabel('Locality (city)').fill('Boston');
  await dialog.getByLabel('State or province').fill('MA');
  await dialog.getByLabel('Country').fill('us');
  await dialog.getByLabel('Subject alternative names (SANs)').fill(`www.${cn}`);
  await dialog.getByLabel('Key type').selectOption({ label: keyType });
  await dialog.getByRole('button', { name: 'Create CSR' }).click();
  await expect(page).toHaveURL(/\/custom-csrs\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { level: 1, name: cn })).toBeVisible();
  return page.url().split('/').pop()!;
}

/** Downloads the .csr through the page's link and has openssl verify its self-signature. */
async function downloadAndVerify(page: Page, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download .csr' }).click()]);
  const file = path.join(dir, `${name}.csr`);
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
  expect(text).not.toContain('\\n');
  // openssl req -verify prints "… verify OK" on stderr and exits non-zero when the signature fails.
  const result = execFileSync('sh', ['-c', `openssl req -verify -noout -in '${file}' 2>&1`], { encoding: 'utf8' });
  expect(result).toContain('verify OK');
  return file;
}

async function cloudflareHostnames(stack: E2EStack): Promise<{ hostname: string; ssl: { custom_csr_id?: string } }[]> {
  const res = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/custom_hostnames?per_page=50`, {
    headers: { authorization: `Bearer ${stack.cloudflare.apiToken}` },
  });
  return (await res.json()).result;
}

async function cloudflareCsrIds(stack: E2EStack): Promise<string[]> {
  const res = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/custom_csrs?per_page=50`, {
    headers: { authorization: `Bearer ${stack.cloudflare.apiToken}` },
  });
  return ((await res.json()).result as { id: string }[]).map((c) => c.id);
}

test('[ADMIN][CUSTOM CSR]: P-256 CSR downloaded, verified, signed, uploaded; bad certificates and an in-use delete refused', async ({ page, baseURL, context }) => {
  const stack = ourStack(baseURL);
  const suffix = randomBytes(3).toString('hex');
  const host = `shop-${suffix}.acme-corp.com`;
  await signIn(page, 'ADMIN');

  const id = await createCsr(page, host, 'ECDSA P-256');
  await expect(page.getByText('ECDSA P-256', { exact: false }).first()).toBeVisible();
  await expect(page.getByRole('list', { name: 'SANs in the CSR' })).toContainText(`www.${host}`);
  await expect(page.getByRole('list', { name: 'SANs in the CSR' })).toContainText(host);

  const csrFile = await downloadAndVerify(page, 'p256');
  const shown = await page.getByTestId('csr-pem').textContent();
  expect(shown?.trim()).toBe(readFileSync(csrFile, 'utf8').trim());
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy CSR' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect((await page.evaluate(() => navigator.clipboard.readText())).trim()).toBe(shown?.trim());

  const upload = page.getByRole('form', { name: 'Upload the signed certificate' });
  await upload.getByLabel('Hostname').fill(host);

  // A certificate the same CA signed for another key: refused before Cloudflare sees it.
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-out', 'other.csr');
  await upload.getByLabel('Certificate (PEM)').fill(signWithPublicCa(stack, 'other.csr', 'other.pem'));
  await upload.getByRole('button', { name: 'Check and upload' }).click();
  await expect(upload.getByText('This certificate was not issued for this CSR')).toBeVisible();

  // Self-signed, for the hostname: refused too.
  openssl('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-days', '30', '-out', 'self.pem');
  await upload.getByLabel('Certificate (PEM)').fill(readFileSync(path.join(dir, 'self.pem'), 'utf8'));
  await upload.getByRole('button', { name: 'Check and upload' }).click();
  await expect(upload.getByText('This certificate is self-signed')).toBeVisible();
  expect((await cloudflareHostnames(stack)).map((h) => h.hostname)).not.toContain(host);

  // What the customer's CA signed for this CSR: accepted, and the hostname shows with its expiry.
  const signed = signWithPublicCa(stack, 'p256.csr', 'p256.pem');
  const notAfter = new Date(openssl('x509', '-noout', '-enddate', '-in', 'p256.pem').trim().replace('notAfter=', ''));
  await upload.getByLabel('Certificate (PEM)').fill(signed);
  await upload.getByRole('button', { name: 'Check and upload' }).click();
  await expect(upload.getByText(`Custom hostname ${host} created at Cloudflare`)).toBeVisible();
  const hostnames = page.getByRole('table', { name: 'Custom hostnames' });
  const row = hostnames.getByRole('row').filter({ hasText: host });
  await expect(row).toBeVisible();
  const expiry = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(notAfter);
  await expect(row).toContainText(expiry);
  const atCloudflare = (await cloudflareHostnames(stack)).find((h) => h.hostname === host);
  expect(atCloudflare?.ssl.custom_csr_id).toBeTruthy();

  // Deleting the CSR while the hostname uses its key: Cloudflare refuses (409 1420), the page says which hostname.
  const csrIdsBefore = await cloudflareCsrIds(stack);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: /Delete the custom CSR/ });
  await confirm.getByRole('button', { name: 'Delete CSR' }).click();
  await expect(confirm.getByText(`still used by the custom hostname ${host}`)).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect(await cloudflareCsrIds(stack)).toEqual(csrIdsBefore);
  await page.goto('/custom-csrs');
  const listed = page.getByRole('table', { name: 'Custom CSRs' }).getByRole('row').filter({ hasText: host });
  await expect(listed).toBeVisible();
  await expect(listed).toContainText(host);
  await page.goto(`/custom-csrs/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: host })).toBeVisible();
});

test('[ADMIN][CUSTOM CSR]: an RSA 2048 CSR downloads and verifies, and can be deleted while unused', async ({ page, baseURL }) => {
  const stack = ourStack(baseURL);
  const host = `api-${randomBytes(3).toString('hex')}.acme-corp.com`;
  await signIn(page, 'ADMIN');
  await createCsr(page, host, 'RSA 2048');
  await expect(page.getByText('RSA 2048 bits')).toBeVisible();
  await downloadAndVerify(page, 'rsa');
  expect(openssl('req', '-noout', '-text', '-in', 'rsa.csr')).toContain('Public-Key: (2048 bit)');

  const before = await cloudflareCsrIds(stack);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog', { name: /Delete the custom CSR/ }).getByRole('button', { name: 'Delete CSR' }).click();
  await expect(page).toHaveURL(/\/custom-csrs\?deleted=1$/);
  await expect(page.getByText('The custom CSR was deleted at Cloudflare')).toBeVisible();
  expect((await cloudflareCsrIds(stack)).length).toBe(before.length - 1);
});

test('[ADMIN][CUSTOM CSR]: the form refuses bad input with Cloudflare-grade messages', async ({ page }) => {
  await signIn(page, 'ADMIN');
  await page.goto('/custom-csrs');
  await page.getByRole('button', { name: 'New custom CSR' }).click();
  const dialog = page.getByRole('dialog', { name: 'New custom CSR' });
  await dialog.getByLabel('Common name').fill(`${'a'.repeat(70)}.com`);
  await dialog.getByLabel('Country').fill('USA');
  await dialog.getByLabel('Subject alternative names (SANs)').fill('10.0.0.1\nshop.example.com');
  await dialog.getByRole('button', { name: 'Create CSR' }).click();
  await expect(dialog.getByText('The common name is too long: at most 64 characters')).toBeVisible();
  await expect(dialog.getByText('Country must be a two-letter ISO 3166-1 code')).toBeVisible();
  await expect(dialog.getByText('"10.0.0.1" is an IP address')).toBeVisible();
  await expect(dialog.getByText('under example.com, example.net or example.org')).toBeVisible();
  await expect(dialog.getByText('Organization is required.')).toBeVisible();
});

for (const role of ['SUPPORT', 'MANAGER'] as const) {
  test(`[${role}][CUSTOM CSR]: can view the list but not change anything`, async ({ page }) => {
    await signIn(page, role);
    await page.goto('/custom-csrs');
    await expect(page.getByRole('heading', { level: 1, name: 'Custom CSRs' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'New custom CSR' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Reconcile with Cloudflare' })).toHaveCount(0);
    const list = await page.request.get('/api/custom-csrs');
    expect(list.status()).toBe(200);
    const create = await page.request.post('/api/custom-csrs', {
      data: { country: 'US', state: 'MA', locality: 'Boston', organization: 'X', commonName: 'no.acme-corp.com', sans: ['no.acme-corp.com'] },
    });
    expect(create.status()).toBe(403);
    expect(await create.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'You do not have permission to manage custom CSRs.' } });
    const { rows } = (await list.json()) as { rows: { id: string }[] };
    if (rows[0]) expect((await page.request.delete(`/api/custom-csrs/${rows[0].id}`)).status()).toBe(403);
  });
}

import { execFileSync, execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Locator, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { postReading } from '../lib/devices/simulator';
import { signIn } from './helpers';
import { sql } from './inventory';
import { type E2EStack, readStack } from './stack';

/*
 * An ADMIN enrolls two devices: one with a key pair made in the browser (downloading the key and a
 * PKCS#12 that openssl opens with its password) and one with a CSR made by `cfssl genkey` as in
 * seed 001. No request the browser sends carries a private key. Both devices then post a reading
 * through the mTLS edge with what the page handed out. MANAGER gets neither the page nor the API.
 */

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'certfleet-e2e-enroll-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stack file is shared by every e2e server on this machine: make sure it describes ours. */
function ourStack(baseURL: string | undefined): E2EStack {
  const stack = readStack();
  expect(stack.baseURL, 'e2e-stack.json was written by another e2e server (another E2E_PORT)').toBe(baseURL);
  return stack;
}

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Clicks what starts a download and saves the file under `dir`; returns its path. */
async function download(page: Page, trigger: Locator, name: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
  const target = path.join(dir, name);
  await file.saveAs(target);
  return target;
}

/** Every request body the page sends, to prove that none carries a private key. */
function recordBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on('request', (request) => {
    const body = request.postDataBuffer();
    if (body) bodies.push(body.toString('latin1'));
  });
  return bodies;
}

async function postAtEdge(stack: E2EStack, certPem: string, keyPem: string) {
  return postReading({ url: `${stack.edge.url}/temps`, device: { certPem, keyPem }, caPem: readFileSync(stack.edge.caFile, 'utf8'), timeoutMs: 15_000 });
}

const suffix = () => randomBytes(3).toString('hex');

test('[ADMIN][ENROLL]: a key made in the browser never leaves it; the PKCS#12 opens with its password and the device reaches the edge', async ({ page, baseURL }) => {
  const stack = ourStack(baseURL);
  const bodies = recordBodies(page);
  const name = `e2e-browser-${suffix()}`;
  const password = `p12-${randomBytes(6).toString('hex')}`;

  await signIn(page, 'ADMIN');
  await page.goto('/devices/enroll');
  await expect(page.getByRole('heading', { name: 'Enroll a device', level: 1 })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Group').selectOption('lab');
  // The common name follows the name until it is edited.
  await expect(page.getByLabel('Common name (CN)')).toHaveValue(name);
  await expect(page.getByLabel('Validity (days)')).toHaveValue('3650');
  await page.getByLabel('Validity (days)').fill('400');
  await expect(page.getByRole('radio', { name: /Make the key in this browser/ })).toBeChecked();
  await page.getByRole('radio', { name: /ECDSA P-256/ }).check();
  await page.getByRole('button', { name: 'Enroll device' }).click();

  await expect(page.getByRole('status').filter({ hasText: `Enrolled ${name}` })).toBeVisible();
  await expect(page.getByText('Save the private key now.')).toBeVisible();

  const certFile = await download(page, page.getByRole('button', { name: 'Certificate (PEM)' }), `${name}.pem`);
  const keyFile = await download(page, page.getByRole('button', { name: 'Private key (PEM)' }), `${name}-key.pem`);
  const chainFile = await download(page, page.getByRole('link', { name: 'CA chain' }), 'chain.pem');
  const certPem = readFileSync(certFile, 'utf8');
  const keyPem = readFileSync(keyFile, 'utf8');
  expect(keyPem).toContain('-----BEGIN PRIVATE KEY-----');
  expect(readFileSync(chainFile, 'utf8')).toBe(readFileSync(stack.cloudflare.zoneCaFile, 'utf8'));
  // Issued by the zone's CA, for this name, with the validity asked for.
  expect(openssl('verify', '-CAfile', chainFile, certFile)).toContain(': OK');
  expect(openssl('x509', '-in', certFile, '-noout', '-subject')).toContain(`CN = ${name}`);

  // PKCS#12 with a chosen password: openssl opens it with that password, and only with it.
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat password').fill(password);
  const p12 = await download(page, page.getByRole('button', { name: 'Download PKCS#12' }), `${name}.p12`);
  const certs = openssl('pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nokeys');
  expect(certs.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
  expect(certs).toContain(certPem.trim().split('\n')[1]);
  const keys = openssl('pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nocerts', '-nodes');
  expect(keys).toContain('-----BEGIN PRIVATE KEY-----');
  expect(() => openssl('pkcs12', '-in', p12, '-passin', 'pass:wrong-password', '-nokeys')).toThrow();

  // What certfleet stored is what the browser got.
  const [row] = await sql<{ fingerprintSha256: string; source: string; validityDays: number; status: string }>(
    `SELECT c."fingerprintSha256", c.source, c."validityDays", d.status FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId" WHERE d.name = $1`,
    [name],
  );
  expect(row).toMatchObject({ source: 'ENROLLED', validityDays: 400, status: 'ACTIVE' });
  const fingerprint = openssl('x509', '-in', certFile, '-noout', '-fingerprint', '-sha256').split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
  expect(row!.fingerprintSha256).toBe(fingerprint);
  await expect(page.getByTestId('issued-fingerprint')).toHaveText(fingerprint);

  // The connect panel is filled in for this device and the local edge.
  const curl = page.getByTestId('snippet-curl');
  await expect(curl).toContainText(`--cert ${name}.pem`);
  await expect(curl).toContainText(`--key ${name}-key.pem`);
  await expect(curl).toContainText(`${stack.edge.url}/temps`);
  await page.getByRole('tab', { name: 'Java / OkHttp' }).click();
  await expect(page.getByTestId('snippet-java')).toContainText('KeyFactory.getInstance("EC")');
  // And the EST commands (lib/est/est.edge.test.ts runs them), for this device at the same edge.
  const est = page.getByTestId('est-commands');
  await expect(est).toContainText(`${stack.edge.url}/.well-known/est/simpleenroll`);
  await expect(est).toContainText(`-u "${name}:$EST_TOKEN"`);
  await expect(est).toContainText(`-subj /CN=${name}`);
  await expect(est).toContainText(`--cert ${name}.pem --key ${name}-key.pem`);

  // The device can post with what the page handed out.
  expect((await postAtEdge(stack, certPem, keyPem)).status).toBe(201);

  expect(bodies.some((b) => b.includes('BEGIN CERTIFICATE REQUEST'))).toBe(true);
  expect(bodies.filter((b) => b.includes('PRIVATE KEY'))).toEqual([]);
});

test('[ADMIN][ENROLL]: a CSR made with cfssl genkey is checked in the browser, confirmed and enrolled', async ({ page, baseURL }) => {
  const stack = ourStack(baseURL);
  const bodies = recordBodies(page);
  const id = suffix();
  const name = `e2e-cfssl-${id}`;
  const cn = `sensor-${id}.devices.certfleet.test`;
  // Seed 001's csr.json, for this sensor.
  writeFileSync(
    path.join(dir, 'csr.json'),
    JSON.stringify({
      hosts: [cn],
      CN: cn,
      key: { algo: 'rsa', size: 2048 },
      names: [{ C: 'US', L: 'Austin', O: 'Temperature Testers, Inc.', OU: 'Tech Operations', ST: 'Texas' }],
    }),
  );
  execSync('cfssl genkey csr.json | cfssljson -bare certificate', { cwd: dir, stdio: 'ignore' });
  const csrPem = readFileSync(path.join(dir, 'certificate.csr'), 'utf8');
  const keyPem = readFileSync(path.join(dir, 'certificate-key.pem'), 'utf8');

  await signIn(page, 'ADMIN');
  await page.goto('/devices/enroll');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Group').selectOption({ label: 'New group…' });
  await page.getByLabel('New group name').fill(`e2e-cfssl`);
  await page.getByRole('radio', { name: /Use the device's own CSR/ }).check();
  const csrField = page.getByLabel('Certificate signing request (PEM)');

  // A weak CSR is refused in the browser, before anything is sent.
  const weak = readFileSync(path.join(process.cwd(), 'lib/pki/fixtures/rsa1024.csr'), 'utf8');
  await csrField.fill(weak);
  const summary = page.getByTestId('csr-summary');
  await expect(summary).toContainText('This CSR would be refused');
  await expect(summary).toContainText('1024 bits');
  const sentBefore = bodies.length;
  await page.getByRole('button', { name: 'Enroll device' }).click();
  await expect(page.getByText('Check the highlighted fields.')).toBeVisible();
  expect(bodies.slice(sentBefore).filter((b) => b.includes('CERTIFICATE REQUEST'))).toEqual([]);

  // The cfssl CSR: its names and key are shown for confirmation.
  await csrField.fill(csrPem);
  await expect(summary).toContainText('The CSR checks out');
  await expect(page.getByTestId('csr-cn')).toHaveText(cn);
  await expect(page.getByTestId('csr-sans')).toHaveText(`DNS: ${cn}`);
  await expect(page.getByTestId('csr-key')).toHaveText('RSA 2048');
  await expect(summary).toContainText('verifies');
  await expect(page.getByLabel('Common name (CN)')).toHaveValue(cn);
  await page.getByRole('button', { name: 'Enroll device' }).click();
  await expect(page.getByText('Confirm the common name and key shown above.')).toBeVisible();
  await page.getByLabel(/names and key above are this device/).check();
  await page.getByRole('button', { name: 'Enroll device' }).click();

  await expect(page.getByRole('status').filter({ hasText: `Enrolled ${name}` })).toBeVisible();
  await expect(page.getByText('The private key stays on the device')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Private key (PEM)' })).toHaveCount(0);
  const certFile = await download(page, page.getByRole('button', { name: 'Certificate (PEM)' }), `${name}.pem`);
  const certPem = readFileSync(certFile, 'utf8');
  expect(openssl('verify', '-CAfile', stack.cloudflare.zoneCaFile, certFile)).toContain(': OK');
  // The certificate is for the device's own key.
  writeFileSync(path.join(dir, 'cfssl-key.pem'), keyPem);
  expect(openssl('x509', '-in', certFile, '-noout', '-pubkey')).toBe(openssl('pkey', '-in', 'cfssl-key.pem', '-pubout'));
  await expect(page.getByTestId('snippet-curl')).toContainText(`--cert ${name}.pem`);

  const [device] = await sql<{ group: string; commonName: string; status: string }>(`SELECT "group", "commonName", status FROM "Device" WHERE name = $1`, [name]);
  expect(device).toEqual({ group: 'e2e-cfssl', commonName: cn, status: 'ACTIVE' });
  expect((await postAtEdge(stack, certPem, keyPem)).status).toBe(201);
  expect(bodies.filter((b) => b.includes('PRIVATE KEY'))).toEqual([]);
});

test('[MANAGER][ENROLL]: no enrollment page, and a direct POST is refused', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await page.goto('/devices/enroll');
  await expect(page.getByText('Not available for your role')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enroll device' })).toHaveCount(0);
  const response = await page.request.post('/api/enroll', {
    data: { requestId: crypto.randomUUID(), name: 'manager-made', group: 'lab', commonName: 'manager-made', validityDays: 30, keySource: 'csr', csrPem: 'x' },
  });
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toEqual({ code: 'FORBIDDEN', message: 'You do not have permission to enroll devices.' });
  const bulk = await page.request.post('/api/bulk/dry-run', { data: { csv: 'name,group,csr\n' } });
  expect(bulk.status()).toBe(403);
  expect(await sql(`SELECT 1 FROM "Device" WHERE name = 'manager-made'`)).toEqual([]);
});

/** A device enrolled through the API (as a script would), with its key kept here. */
async function enrollByApi(page: Page, name: string) {
  const { generateKeyAndCsr } = await import('../lib/pki');
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: name } });
  const response = await page.request.post('/api/enroll', {
    data: { requestId: crypto.randomUUID(), name, group: 'lab', commonName: name, validityDays: 90, keySource: 'csr', csrPem },
  });
  expect(response.status()).toBe(201);
  const body = (await response.json()) as { device: { id: string }; certificate: { id: string; serialNumber: string } };
  return { ...body, privateKeyPem };
}

test('[ADMIN][RENEW]: a replacement with a browser-made key supersedes the old certificate, revoked on confirmation', async ({ page, baseURL }) => {
  ourStack(baseURL);
  const bodies = recordBodies(page);
  const name = `e2e-renew-${suffix()}`;
  await signIn(page, 'ADMIN');
  const enrolled = await enrollByApi(page, name);

  await page.goto(`/devices/${enrolled.device.id}/renew`);
  await expect(page.getByRole('heading', { name: `Renew ${name}`, level: 1 })).toBeVisible();
  await expect(page.getByText(enrolled.certificate.serialNumber)).toBeVisible();
  await page.getByRole('radio', { name: /Revoke it now/ }).check();
  await page.getByRole('button', { name: 'Issue replacement' }).click();
  await expect(page.getByText('Confirm that the device can be cut off')).toBeVisible();
  await page.getByLabel(new RegExp(`${name} is refused at the edge`)).check();
  await page.getByRole('button', { name: 'Issue replacement' }).click();

  await expect(page.getByRole('status').filter({ hasText: `Renewed ${name}` })).toBeVisible();
  await expect(page.getByTestId('old-certificate-outcome')).toContainText(`old certificate ${enrolled.certificate.serialNumber} is being revoked`);
  await expect(page.getByText('Save the private key now.')).toBeVisible();
  const [old] = await sql<{ supersededById: string | null; revocationReason: string | null; status: string }>(
    `SELECT "supersededById", "revocationReason", status FROM "Certificate" WHERE id = $1`,
    [enrolled.certificate.id],
  );
  const [replacement] = await sql<{ id: string; source: string }>(`SELECT id, source FROM "Certificate" WHERE "deviceId" = $1 AND id <> $2`, [
    enrolled.device.id,
    enrolled.certificate.id,
  ]);
  expect(replacement?.source).toBe('RENEWAL');
  expect(old).toMatchObject({ supersededById: replacement!.id, revocationReason: 'SUPERSEDED' });
  expect(['PENDING_REVOCATION', 'REVOKED']).toContain(old!.status);
  expect(bodies.filter((b) => b.includes('PRIVATE KEY'))).toEqual([]);
});

test('[ADMIN][RECONCILE]: Reconcile now lists a certificate issued outside certfleet, which is then attached to a device', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const stack = ourStack(baseURL);
  const id = suffix();
  await signIn(page, 'ADMIN');
  const owner = await enrollByApi(page, `e2e-owner-${id}`);
  // Issued straight at Cloudflare, as with the dashboard or another tool.
  const { generateKeyAndCsr } = await import('../lib/pki');
  const outsideCn = `outside-${id}`;
  const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: outsideCn } });
  const created = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/client_certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.cloudflare.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ csr: csrPem, validity_days: 30 }),
  });
  expect(created.status).toBe(200);

  await page.goto('/reconcile');
  const row = page.getByRole('row').filter({ hasText: outsideCn });
  // A scheduled run may be going (or may have read the zone before the certificate existed): run until it shows.
  for (let attempt = 0; attempt < 3 && !(await row.count()); attempt++) {
    const button = page.getByRole('button', { name: 'Reconcile now' });
    await expect(button).toBeEnabled();
    await button.click();
    // The page follows the run and shows its results when it ends.
    await row.waitFor({ timeout: 120_000 }).catch(() => undefined);
  }
  await expect(row).toBeVisible();
  await expect(page.getByTestId('reconcile-status')).toContainText('Last run');

  await row.getByLabel('Device name').fill(`e2e-owner-${id}`);
  await row.getByRole('button', { name: 'Attach' }).click();
  await expect(page.getByText(`now belongs to e2e-owner-${id}`)).toBeVisible();
  const [attached] = await sql<{ deviceId: string }>(`SELECT "deviceId" FROM "Certificate" WHERE "commonName" = $1`, [outsideCn]);
  expect(attached?.deviceId).toBe(owner.device.id);
});

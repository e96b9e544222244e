import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import pg from 'pg';
import { issueClientCertificate as signWithCa, loadCa, randomSerialHex } from '../emulator/ca';
import { generateKeyAndCsr, parseCsr } from '../lib/pki';
import { signIn } from './helpers';
import { type E2EStack, readStack } from './stack';

/*
 * Seed 002's troubleshooting list, walked by a SUPPORT engineer in the certificate doctor: a good
 * certificate, an expired one, a revoked one (by whom and why), one from another CA, a key that does
 * not match (and never leaves the browser), and a .p12 with the wrong password.
 */

const PAGES_TO_WARM = ['/signin', '/api/auth/csrf', '/api/auth/session', '/', '/doctor'];
// Under `next dev` (E2E_DEV=1) the first request to a page compiles it; do that before the clock of the first test starts.
test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  for (const path of PAGES_TO_WARM) await request.get(path, { timeout: 170_000, maxRedirects: 0 }).catch(() => undefined);
});

let dir: string;
let stack: E2EStack;
let db: pg.Client;

interface SeededCertificate {
  id: string;
  cloudflareId: string;
  fingerprint: string;
  pem: string;
  device: string;
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'certfleet-e2e-doctor-'));
  stack = readStack();
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
test.afterAll(async () => {
  await db?.end();
  rmSync(dir, { recursive: true, force: true });
});
test.beforeEach(({ baseURL }) => {
  expect(stack.baseURL, 'e2e-stack.json was written by another e2e server (another E2E_PORT)').toBe(baseURL);
});

/** Active demo certificates far from expiry whose key the simulator keeps (so the "good" case has a real key). */
async function seededCertificates(): Promise<SeededCertificate[]> {
  const { rows } = await db.query<SeededCertificate>(
    `SELECT c.id, c."cloudflareId", c."fingerprintSha256" AS fingerprint, c.pem, d.name AS device
       FROM "Certificate" c JOIN "Device" d ON d.id = c."deviceId"
      WHERE c.status = 'ACTIVE' AND c.source = 'SEED' AND NOT d."isCanary" AND c."expiresOn" > now() + interval '60 days'
      ORDER BY d.name`,
  );
  return rows.filter((r) => existsSync(keyFile(r.fingerprint)));
}
const keyFile = (fingerprint: string) => path.join(stack.dataDir, 'devices', `${fingerprint}.key.pem`);

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every request body the page sends, to prove what never leaves the browser. */
function recordBodies(page: Page): string[] {
  const bodies: string[] = [];
  page.on('request', (request) => bodies.push(request.postData() ?? ''));
  return bodies;
}

async function diagnose(page: Page, input: { text?: string; file?: string; password?: string; key?: string }) {
  await page.goto('/doctor');
  if (input.text) await page.getByLabel('Certificate (PEM)').fill(input.text);
  if (input.file) await page.getByLabel('Or a file').setInputFiles(input.file);
  if (input.password) await page.getByLabel('PKCS#12 password').fill(input.password);
  if (input.key) await page.getByLabel('Private key (optional)').fill(input.key);
  await page.getByRole('button', { name: 'Diagnose' }).click();
  // The first diagnosis may wait for the route to compile under `next dev`.
  await expect(page.getByRole('list', { name: 'Checklist' })).toBeVisible();
}

const line = (page: Page, id: string) => page.locator(`li[data-line="${id}"]`);
async function expectLine(page: Page, id: string, verdict: 'pass' | 'warn' | 'fail' | 'skip', ...texts: string[]) {
  await expect(line(page, id)).toHaveAttribute('data-verdict', verdict);
  for (const t of texts) await expect(line(page, id)).toContainText(t);
}

/**
 * The key's secret part (JWK `d`: the EC scalar or RSA private exponent) in every encoding a body
 * could carry it: none may appear in anything the browser sent. (The PEM as a whole cannot be
 * searched for: it embeds the public key, which the certificate rightly carries.)
 */
function expectKeyNeverSent(bodies: string[], keyPem: string) {
  const d = createPrivateKey(keyPem).export({ format: 'jwk' }).d!;
  const raw = Buffer.from(d, 'base64url');
  const forms = [d, raw.toString('base64').replace(/=+$/, ''), raw.toString('hex'), keyPem.split('\n')[1]!];
  expect(bodies.length).toBeGreaterThan(0);
  for (const body of bodies) {
    expect(body).not.toContain('PRIVATE KEY');
    for (const form of forms) expect(body.toLowerCase()).not.toContain(form.toLowerCase().slice(0, 32));
  }
}

test('[SUPPORT][DOCTOR]: a good certificate with its key passes every line, and the key stays in the browser', async ({ page }) => {
  const [good] = await seededCertificates();
  expect(good, 'a seeded certificate with its key on disk').toBeTruthy();
  const key = readFileSync(keyFile(good!.fingerprint), 'utf8');
  await signIn(page, 'SUPPORT');
  const bodies = recordBodies(page);
  await diagnose(page, { text: good!.pem, key });
  await expectLine(page, 'parse', 'pass');
  await expectLine(page, 'validity', 'pass');
  await expectLine(page, 'issuer', 'pass', "Signed by");
  await expectLine(page, 'known', 'pass', `Device ${good!.device}`);
  await expectLine(page, 'status', 'pass', 'Cloudflare says: active.');
  await expectLine(page, 'key-strength', 'pass', 'ECDSA P-256');
  await expectLine(page, 'key-match', 'pass', 'the key was not sent');
  // The demo zone asks for client certificates on localhost; "pass" once the scheduled check has proved it, "warn" before.
  await expect(line(page, 'host')).toContainText('Client certificates are requested on localhost');
  await expect(line(page, 'host')).not.toHaveAttribute('data-verdict', 'fail');
  const sent = bodies.filter((b) => b.includes('BEGIN CERTIFICATE'));
  expect(sent).toHaveLength(1);
  expect(JSON.parse(sent[0]!)).toEqual({ certificate: expect.stringContaining('-----BEGIN CERTIFICATE-----') });
  expectKeyNeverSent(bodies, key);

  // Conversions are made in the browser: DER download equals openssl's conversion.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download DER' }).click()]);
  const derFile = path.join(dir, 'good.der');
  await download.saveAs(derFile);
  const pemFile = path.join(dir, 'good.pem');
  execFileSync('sh', ['-c', `cat > '${pemFile}'`], { input: good!.pem });
  expect(readFileSync(derFile)).toEqual(Buffer.from(execFileSync('openssl', ['x509', '-in', pemFile, '-outform', 'der'])));
});

test('[SUPPORT][DOCTOR]: a key that does not match is caught without leaving the browser', async ({ page }) => {
  const [good] = await seededCertificates();
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'wrong.key');
  const wrongKey = readFileSync(path.join(dir, 'wrong.key'), 'utf8');
  await signIn(page, 'SUPPORT');
  const bodies = recordBodies(page);
  await diagnose(page, { text: good!.pem, key: wrongKey });
  await expectLine(page, 'key-match', 'fail', 'does not belong to this certificate', 'the key was not sent', 'openssl pkey -pubout');
  expectKeyNeverSent(bodies, wrongKey);
});

test('[SUPPORT][DOCTOR]: an expired certificate from the zone CA is told as expired', async ({ page }) => {
  const caDir = path.dirname(stack.cloudflare.zoneCaFile);
  const zoneCa = await loadCa({ certPem: readFileSync(stack.cloudflare.zoneCaFile, 'utf8'), keyPem: readFileSync(path.join(caDir, 'zone-ca.key'), 'utf8') });
  const { csrPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'sensor-expired' } });
  const expired = await signWithCa(zoneCa, {
    csrDer: (await parseCsr(csrPem)).der,
    serialHex: randomSerialHex(),
    notBefore: new Date(Date.now() - 400 * 86_400_000),
    notAfter: new Date(Date.now() - 35 * 86_400_000),
  });
  await signIn(page, 'SUPPORT');
  await diagnose(page, { text: expired });
  await expectLine(page, 'validity', 'fail', 'Expired on', '35 days ago', 'Issue a new certificate');
  await expectLine(page, 'issuer', 'pass');
});

test('[SUPPORT][DOCTOR]: a revoked certificate is told as revoked, by whom and why', async ({ page }) => {
  const [, target] = await seededCertificates();
  await signIn(page, 'SUPPORT');
  const revoke = await page.request.post(`/api/certificates/${target!.id}/revoke`, { data: { reason: 'KEY_COMPROMISE', note: 'Sensor stolen from the Hamburg site' } });
  expect(revoke.ok(), await revoke.text()).toBe(true);
  // Cloudflare settles pending_revocation → revoked after the emulator's delay.
  await expect
    .poll(
      async () => {
        const res = await fetch(`${stack.cloudflare.apiBaseUrl}/zones/${stack.cloudflare.zoneId}/client_certificates/${target!.cloudflareId}`, {
          headers: { authorization: `Bearer ${stack.cloudflare.apiToken}` },
        });
        return (await res.json()).result.status;
      },
      { timeout: 180_000 },
    )
    .toBe('revoked');
  await diagnose(page, { text: target!.pem });
  await expectLine(page, 'status', 'fail', 'Cloudflare says: revoked.', 'by support@certfleet.local', 'reason: key compromise', 'Sensor stolen from the Hamburg site');
  await expectLine(page, 'known', 'pass', `Device ${target!.device}`);
});

test('[SUPPORT][DOCTOR]: a certificate from another CA is refused as not the zone CA', async ({ page }) => {
  openssl('req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-subj', '/CN=Some Other CA', '-days', '30', '-out', 'other-ca.pem');
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'intruder.key', '-subj', '/CN=intruder', '-out', 'intruder.csr');
  openssl('x509', '-req', '-in', 'intruder.csr', '-CA', 'other-ca.pem', '-CAkey', 'other-ca.key', '-set_serial', '0x1234abcd', '-days', '30', '-out', 'intruder.pem');
  await signIn(page, 'SUPPORT');
  await diagnose(page, { file: path.join(dir, 'intruder.pem') });
  await expectLine(page, 'issuer', 'fail', "Not from this zone's managed CA", 'issued by CN=Some Other CA', 'openssl verify -CAfile');
  await expectLine(page, 'known', 'fail');
});

test('[SUPPORT][DOCTOR]: a .p12 with the wrong password is told so; the right one opens in the browser', async ({ page }) => {
  const [good] = await seededCertificates();
  const certFile = path.join(dir, 'p12-cert.pem');
  execFileSync('sh', ['-c', `cat > '${certFile}'`], { input: good!.pem });
  openssl('pkcs12', '-export', '-out', 'device.p12', '-inkey', keyFile(good!.fingerprint), '-in', certFile, '-passout', 'pass:right-password');
  await signIn(page, 'SUPPORT');
  const bodies = recordBodies(page);
  await diagnose(page, { file: path.join(dir, 'device.p12'), password: 'not-the-password' });
  await expectLine(page, 'parse', 'fail', 'The PKCS#12 password is wrong', 'openssl pkcs12 -export');
  expect(bodies.filter((b) => b.includes('BEGIN CERTIFICATE'))).toHaveLength(0);

  await page.getByLabel('PKCS#12 password').fill('right-password');
  await page.getByRole('button', { name: 'Diagnose' }).click();
  await expectLine(page, 'parse', 'pass', 'a PKCS#12 bundle');
  await expectLine(page, 'key-match', 'pass');
  expectKeyNeverSent(bodies, readFileSync(keyFile(good!.fingerprint), 'utf8'));
});

test('[MANAGER][DOCTOR]: the doctor is not for managers, on the page or the API', async ({ page }) => {
  await signIn(page, 'MANAGER');
  await page.goto('/doctor');
  await expect(page.getByText('You do not have permission to diagnose certificates.')).toBeVisible();
  const res = await page.request.post('/api/doctor', { data: { certificate: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----' } });
  expect(res.status()).toBe(403);
});

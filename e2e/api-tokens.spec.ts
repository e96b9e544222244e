import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { sql } from './inventory';

// An ADMIN makes an API token in the browser; a provisioning script enrolls a device with it through
// curl (retried with the same Idempotency-Key: one certificate), the CLI revokes that certificate by
// serial, every step is audited as the token, every answer matches the OpenAPI document, and once the
// token is revoked in the browser the next request is refused.

const run = promisify(execFile);
test.describe.configure({ mode: 'serial' });

interface Answer {
  operationId: string;
  status: number;
  body: unknown;
}
const answers: Answer[] = [];

async function curl(args: string[]): Promise<{ status: number; headers: string; body: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-curl-'));
  const { stdout } = await run('curl', ['-sS', '-o', join(dir, 'body'), '-D', join(dir, 'headers'), '-w', '%{http_code}', ...args]);
  return { status: Number(stdout), headers: readFileSync(join(dir, 'headers'), 'utf8'), body: readFileSync(join(dir, 'body'), 'utf8') };
}

test('[ADMIN][API]: a token made in the browser enrolls with curl, revokes with the CLI, audited as the token, refused once revoked', async ({ page, baseURL }) => {
  const name = `api-line-${Date.now().toString(36)}`;
  await signIn(page, 'ADMIN');
  await page.goto('/settings');
  await page.getByLabel('Token name').fill('provisioning line');
  await page.getByLabel('Role').selectOption('ADMIN');
  await page.getByLabel('Expires in (days)').fill('30');
  await page.getByRole('button', { name: 'Make token' }).click();
  const secret = (await page.getByTestId('new-api-token').textContent())!.trim();
  expect(secret).toMatch(/^cfat_[0-9a-f]{40}$/);
  // Shown once: the list has only its prefix, and a reload does not show it again.
  await page.reload();
  await expect(page.getByRole('table', { name: 'API tokens' })).toContainText(secret.slice(0, 13));
  await expect(page.getByTestId('new-api-token')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  // The device's own CSR, made with openssl as a provisioning line would.
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-api-'));
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'device.csr')]);
  const body = JSON.stringify({ name, group: 'provisioning', csrPem: readFileSync(join(dir, 'device.csr'), 'utf8') });
  const enroll = () =>
    curl(['-X', 'POST', `${baseURL}/api/v1/devices`, '-H', `Authorization: Bearer ${secret}`, '-H', 'Content-Type: application/json', '-H', `Idempotency-Key: enroll-${name}`, '--data-binary', body]);
  const first = await enroll();
  expect(first.status).toBe(201);
  const enrolled = JSON.parse(first.body) as { outcome: string; certificate: { id: string; serialNumber: string; pem: string } };
  answers.push({ operationId: 'enrollDevice', status: 201, body: enrolled });
  expect(enrolled).toMatchObject({ outcome: 'issued', device: { name } });
  // The line's retry (its answer was lost): the same answer, nothing issued twice.
  const retry = await enroll();
  expect(retry.status).toBe(201);
  expect(retry.headers.toLowerCase()).toContain('idempotent-replayed: true');
  expect(JSON.parse(retry.body)).toEqual(enrolled);
  expect(await sql('SELECT id FROM "Certificate" WHERE "deviceId" = (SELECT id FROM "Device" WHERE name = $1)', [name])).toHaveLength(1);
  // The same key with another request is refused.
  const clash = await curl(['-X', 'POST', `${baseURL}/api/v1/devices`, '-H', `Authorization: Bearer ${secret}`, '-H', 'Content-Type: application/json', '-H', `Idempotency-Key: enroll-${name}`, '--data-binary', body.replace('"provisioning"', '"other"')]);
  expect(clash.status).toBe(409);
  expect(JSON.parse(clash.body)).toMatchObject({ error: { code: 'IDEMPOTENCY_CONFLICT' } });
  answers.push({ operationId: 'enrollDevice', status: 409, body: JSON.parse(clash.body) });

  // Reads through the API, each answer kept for the OpenAPI check below.
  const auth = { authorization: `Bearer ${secret}` };
  for (const [operationId, path] of [
    ['listCertificates', `/api/v1/certificates?q=${enrolled.certificate.serialNumber}`],
    ['getCertificate', `/api/v1/certificates/${enrolled.certificate.id}`],
    ['listDevices', `/api/v1/devices?q=${name}`],
    ['listDevices', '/api/v1/devices?limit=2'],
    ['listAudit', '/api/v1/audit?limit=5'],
    ['listCertificates', '/api/v1/certificates?limit=0'],
    ['getCertificate', '/api/v1/certificates/nope'],
  ] as const) {
    const res = await page.request.get(path, { headers: auth });
    answers.push({ operationId, status: res.status(), body: await res.json() });
  }
  const found = answers.find((a) => a.operationId === 'listCertificates')!.body as { items: { id: string }[] };
  expect(found.items.map((c) => c.id)).toEqual([enrolled.certificate.id]);
  expect(answers.find((a) => a.operationId === 'getCertificate' && a.status === 404)).toBeTruthy();
  expect(answers.find((a) => a.operationId === 'listCertificates' && a.status === 400)).toBeTruthy();
  const twoDevices = answers.filter((a) => a.operationId === 'listDevices')[1]!.body as { items: unknown[]; nextCursor: string | null };
  expect(twoDevices.items).toHaveLength(2);
  expect(twoDevices.nextCursor).toEqual(expect.any(String));

  // The CLI revokes by serial with the same token, and lists what expires.
  const cli = (...args: string[]) => run(process.execPath, ['scripts/cli.mjs', ...args], { env: { ...process.env, CERTFLEET_URL: baseURL!, CERTFLEET_TOKEN: secret } });
  const revoked = await cli('revoke', '--serial', enrolled.certificate.serialNumber, '--reason', 'KEY_COMPROMISE');
  expect(revoked.stdout).toContain(name);
  const [cert] = await sql<{ status: string; revocationReason: string }>('SELECT status, "revocationReason" FROM "Certificate" WHERE id = $1', [enrolled.certificate.id]);
  expect(cert).toMatchObject({ revocationReason: 'KEY_COMPROMISE' });
  expect(['PENDING_REVOCATION', 'REVOKED']).toContain(cert!.status);
  const expiring = JSON.parse((await cli('expiring', '--days', '3650', '--json')).stdout) as { serialNumber: string }[];
  expect(expiring.length).toBeGreaterThan(0);
  expect(expiring.map((c) => c.serialNumber)).not.toContain(enrolled.certificate.serialNumber);
  const bad = await cli('revoke', '--serial', 'ABCDEF', '--reason', 'KEY_COMPROMISE').catch((error: { code: number; stderr: string }) => error);
  expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('No certificate has the serial ABCDEF.') });

  // Every change is audited as the person, through the token.
  const events = await sql<{ action: string; actorEmail: string }>(
    `SELECT action, "actorEmail" FROM "AuditEvent" WHERE details->'apiToken'->>'name' = 'provisioning line' AND ("targetLabel" LIKE $1 OR "targetId" = $2) ORDER BY id`,
    [`%${name}%`, enrolled.certificate.id],
  );
  expect(events.map((e) => e.actorEmail)).toEqual(events.map(() => 'admin@certfleet.local'));
  expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['certificate.revoke']));
  expect(events.length).toBeGreaterThanOrEqual(2);

  // Revoked in the browser: refused at once.
  await page.getByRole('button', { name: 'Revoke token provisioning line' }).first().click();
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: secret.slice(0, 13) })).toContainText('revoked');
  const refused = await page.request.get('/api/v1/devices', { headers: auth });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'This API token was revoked.' } });
});

test('[API]: every answer of the suite matches the OpenAPI 3.1 document, which the API reference page shows', async ({ page }) => {
  expect(answers.length).toBeGreaterThan(5);
  const doc = (await (await page.request.get('/api/v1/openapi.json')).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    components: { schemas: Record<string, object> };
  };
  expect(doc.openapi).toBe('3.1.0');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
  for (const answer of answers) {
    const op = operations.find((o) => o.operationId === answer.operationId)!;
    expect(op, answer.operationId).toBeTruthy();
    const response = op.responses[String(answer.status)] ?? op.responses.default!;
    const schema = JSON.parse(JSON.stringify(response.content!['application/json']!.schema).replaceAll('"#/components/', '"openapi#/components/'));
    const validate = ajv.compile(schema);
    expect(validate(answer.body) ? [] : validate.errors, `${answer.operationId} ${answer.status}`).toEqual([]);
  }

  await signIn(page, 'MANAGER');
  await page.goto('/api-reference');
  for (const op of operations) await expect(page.locator(`#${op.operationId}`)).toBeVisible();
  await expect(page.locator('#revokeCertificate')).toContainText('Idempotency-Key');
});

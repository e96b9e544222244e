import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type APIRequestContext, type Page, request as playwrightRequest } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect, test } from './fixtures';
import { signIn } from './helpers';
import { sql } from './inventory';

// The rest of /api/v1 over HTTP with tokens made in the browser: renewing a certificate from a CSR (and with
// the CLI), one device with its current certificate, a device's and the fleet's readings series, custom CSRs,
// alerts and alert rules, the CSV export. Refusals too: a bad id, a bad range or bucket, a token whose role is
// too low, a read-only token on a write. Every answer is checked against the served OpenAPI document.

const run = promisify(execFile);
test.describe.configure({ mode: 'serial' });

const suffix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const tokens = { admin: '', manager: '', readOnly: '' };

interface Answer {
  operationId: string;
  status: number;
  /** The JSON body, or for a file its media type. */
  body?: unknown;
  mediaType?: string;
}
const answers: Answer[] = [];
let api: APIRequestContext;

test.afterAll(async () => {
  await api?.dispose();
});

/** A request with a token and no session cookie; every answer is kept for the OpenAPI check. */
type Json = Record<string, unknown> & { error?: { code: string; message: string; fields?: Record<string, string[]> } };

async function call(
  operationId: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  token: string,
  options: { data?: unknown; key?: string } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Json; text?: string }> {
  const res = await api.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(options.key ? { 'idempotency-key': options.key } : {}) },
    ...(options.data !== undefined ? { data: options.data } : {}),
  });
  const type = res.headers()['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const body = (await res.json()) as unknown;
    answers.push({ operationId, status: res.status(), body });
    return { status: res.status(), headers: res.headers(), body: body as Json };
  }
  answers.push({ operationId, status: res.status(), mediaType: type.split(';')[0]! });
  return { status: res.status(), headers: res.headers(), body: {}, text: await res.text() };
}

async function makeToken(page: Page, name: string, role: 'ADMIN' | 'MANAGER', readOnly = false): Promise<string> {
  const shown = page.getByTestId('new-api-token');
  const before = (await shown.count()) ? await shown.textContent() : null;
  await page.getByLabel('Token name').fill(name);
  await page.getByLabel('Role').selectOption(role);
  await page.getByLabel('Expires in (days)').fill('7');
  await page.getByRole('checkbox', { name: /Read-only/ }).setChecked(readOnly);
  await page.getByRole('button', { name: 'Make token' }).click();
  await expect(shown).toHaveText(/^\s*cfat_[0-9a-f]{40}\s*$/);
  if (before) await expect(shown).not.toHaveText(before);
  return (await shown.textContent())!.trim();
}

async function csrFile(dir: string, cn: string, file: string): Promise<string> {
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', join(dir, `${file}.key`), '-out', join(dir, file)]);
  return join(dir, file);
}

test('[ADMIN][API]: tokens made in the browser: an ADMIN one, a MANAGER one, a read-only one', async ({ page, baseURL }) => {
  api = await playwrightRequest.newContext({ baseURL });
  await signIn(page, 'ADMIN');
  await page.goto('/settings');
  tokens.admin = await makeToken(page, `apiv1 admin ${suffix}`, 'ADMIN');
  tokens.manager = await makeToken(page, `apiv1 manager ${suffix}`, 'MANAGER');
  tokens.readOnly = await makeToken(page, `apiv1 read-only ${suffix}`, 'ADMIN', true);
  await page.reload();
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: tokens.readOnly.slice(0, 13) })).toContainText('read-only');
});

test('[ADMIN][API]: renew from a CSR (once per Idempotency-Key), the device names its current certificate, the CLI renews by serial', async ({ baseURL }) => {
  const name = `apiv1-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'certfleet-apiv1-'));
  const first = await call('enrollDevice', 'POST', '/api/v1/devices', tokens.admin, {
    data: { name, group: 'zz-apiv1', csrPem: readFileSync(await csrFile(dir, name, 'one.csr'), 'utf8') },
    key: `enroll-${name}`,
  });
  expect(first.status).toBe(201);
  const enrolled = first.body as unknown as { device: { id: string }; certificate: { id: string; serialNumber: string } };
  const deviceId = enrolled.device.id;
  const oldId = enrolled.certificate.id;

  const device = await call('getDevice', 'GET', `/api/v1/devices/${deviceId}`, tokens.manager);
  expect(device.status).toBe(200);
  expect(device.body).toMatchObject({ name, group: 'zz-apiv1', currentCertificate: { id: oldId, status: 'ACTIVE' }, certificates: [{ id: oldId }] });
  const missing = await call('getDevice', 'GET', '/api/v1/devices/no-such-device', tokens.manager);
  expect(missing.status).toBe(404);
  expect(missing.body.error?.code).toBe('NOT_FOUND');

  const renewBody = { csrPem: readFileSync(await csrFile(dir, name, 'two.csr'), 'utf8'), revokeOld: 'now' };
  const renewPath = `/api/v1/certificates/${oldId}/renew`;
  // Refused before anything runs: a MANAGER token (role too low), a read-only ADMIN token.
  const low = await call('renewCertificate', 'POST', renewPath, tokens.manager, { data: renewBody, key: `renew-low-${name}` });
  expect(low.status).toBe(403);
  expect(low.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'You do not have permission to issue certificates.' });
  const readOnly = await call('renewCertificate', 'POST', renewPath, tokens.readOnly, { data: renewBody });
  expect(readOnly.status).toBe(403);
  expect(readOnly.body.error?.code).toBe('FORBIDDEN');
  expect(readOnly.body.error?.message).toContain('read-only');
  expect(await sql('SELECT id FROM "Certificate" WHERE "deviceId" = $1', [deviceId])).toHaveLength(1);

  const renewed = await call('renewCertificate', 'POST', renewPath, tokens.admin, { data: renewBody, key: `renew-${name}` });
  expect(renewed.status).toBe(201);
  const answer = renewed.body as unknown as { outcome: string; certificate: { id: string; serialNumber: string; pem: string }; replaced: { id: string; revoked: boolean } };
  expect(answer).toMatchObject({ outcome: 'issued', certificate: { device: { id: deviceId } }, replaced: { id: oldId, revoked: true } });
  expect(answer.certificate.pem).toContain('BEGIN CERTIFICATE');
  // The retry whose answer was lost: the same answer, nothing issued twice.
  const retry = await call('renewCertificate', 'POST', renewPath, tokens.admin, { data: renewBody, key: `renew-${name}` });
  expect(retry.status).toBe(201);
  expect(retry.headers['idempotent-replayed']).toBe('true');
  expect(retry.body).toEqual(renewed.body);
  expect(await sql('SELECT id FROM "Certificate" WHERE "deviceId" = $1', [deviceId])).toHaveLength(2);
  const [old] = await sql<{ status: string; revocationReason: string; supersededById: string }>('SELECT status, "revocationReason", "supersededById" FROM "Certificate" WHERE id = $1', [oldId]);
  expect(old).toMatchObject({ revocationReason: 'SUPERSEDED', supersededById: answer.certificate.id });
  expect(['PENDING_REVOCATION', 'REVOKED']).toContain(old!.status);

  const after = await call('getDevice', 'GET', `/api/v1/devices/${deviceId}`, tokens.admin);
  expect(after.body).toMatchObject({ currentCertificate: { id: answer.certificate.id, status: 'ACTIVE' } });
  expect((after.body.certificates as unknown[]).length).toBe(2);

  // The replaced certificate cannot be renewed again; a CSR for another name is refused; an unknown id is a 404.
  const again = await call('renewCertificate', 'POST', renewPath, tokens.admin, { data: { csrPem: readFileSync(await csrFile(dir, name, 'three.csr'), 'utf8') } });
  expect(again.status).toBe(422);
  expect(again.body.error?.message).toContain('has been replaced already');
  const otherName = await call('renewCertificate', 'POST', `/api/v1/certificates/${answer.certificate.id}/renew`, tokens.admin, { data: { csrPem: readFileSync(await csrFile(dir, `not-${name}`, 'other.csr'), 'utf8') } });
  expect(otherName.status).toBe(422);
  expect(otherName.body.error?.message).toContain(`The CSR's common name is "not-${name}", not "${name}"`);
  const unknown = await call('renewCertificate', 'POST', '/api/v1/certificates/no-such-certificate/renew', tokens.admin, { data: renewBody });
  expect(unknown.status).toBe(404);
  const noCsr = await call('renewCertificate', 'POST', `/api/v1/certificates/${answer.certificate.id}/renew`, tokens.admin, { data: { revokeOld: 'later' } });
  expect(noCsr.status).toBe(422);
  expect(Object.keys(noCsr.body.error?.fields ?? {}).sort()).toEqual(['csrPem', 'revokeOld']);
  expect(await sql('SELECT id FROM "Certificate" WHERE "deviceId" = $1', [deviceId])).toHaveLength(2);

  // The CLI renews the current certificate by its serial and writes the new one.
  const out = join(dir, 'renewed.pem');
  const cli = await run(process.execPath, ['scripts/cli.mjs', 'renew', '--serial', answer.certificate.serialNumber, '--csr', join(dir, 'three.csr'), '--out', out], {
    env: { ...process.env, CERTFLEET_URL: baseURL!, CERTFLEET_TOKEN: tokens.admin },
  });
  expect(cli.stderr).toContain(`Renewed: ${name}`);
  expect(readFileSync(out, 'utf8')).toContain('BEGIN CERTIFICATE');
  const live = await sql<{ id: string }>('SELECT id FROM "Certificate" WHERE "deviceId" = $1 AND "supersededById" IS NULL', [deviceId]);
  expect(live).toHaveLength(1);
  expect(live[0]!.id).not.toBe(answer.certificate.id);

  // Audited as the token.
  const events = await sql<{ action: string; actorEmail: string }>(
    `SELECT action, "actorEmail" FROM "AuditEvent" WHERE details->'apiToken'->>'name' = $1 AND "targetLabel" LIKE $2 ORDER BY id`,
    [`apiv1 admin ${suffix}`, `%${name}%`],
  );
  expect(events.filter((e) => e.action === 'certificate.renew')).toHaveLength(2);
  expect(events.map((e) => e.action)).toContain('certificate.revoke');
  expect(new Set(events.map((e) => e.actorEmail))).toEqual(new Set(['admin@certfleet.local']));
});

test('[MANAGER][API]: a device series and the fleet series with a checked range and bucket width; the CSV export', async () => {
  const fleet = await call('getFleetSeries', 'GET', '/api/v1/readings?group=greenhouse&range=7d&bucket=3600', tokens.manager);
  expect(fleet.status).toBe(200);
  const view = fleet.body as unknown as { widthSeconds: number; selection: { group: string; drawn: { id: string; name: string }[] }; average: { t: number; count: number }[] };
  expect(view.widthSeconds).toBe(3600);
  expect(view.selection.group).toBe('greenhouse');
  expect(view.selection.drawn.length).toBeGreaterThan(0);
  expect(view.average.length).toBeGreaterThan(24);
  expect(view.average.length).toBeLessThanOrEqual(7 * 24 + 1);
  for (const b of view.average) expect(b.t % 3_600_000).toBe(0);
  const id = view.selection.drawn[0]!.id;

  const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const from = new Date(to.getTime() - 6 * 3_600_000);
  const series = await call('getDeviceSeries', 'GET', `/api/v1/devices/${id}/readings?from=${from.toISOString()}&to=${to.toISOString()}&bucket=600`, tokens.manager);
  expect(series.status).toBe(200);
  const points = series.body.points as { t: number; count: number }[];
  expect(series.body).toMatchObject({ device: { id }, widthSeconds: 600, range: { preset: 'custom', from: from.toISOString(), to: to.toISOString() } });
  const [truth] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM "Reading" WHERE "deviceId" = $1 AND "time" >= $2 AND "time" < $3', [id, from, to]);
  expect(points.reduce((n, p) => n + p.count, 0)).toBe(truth!.n);
  // Without a bucket: the range's own width, as the chart gets it.
  const own = await call('getDeviceSeries', 'GET', `/api/v1/devices/${id}/readings?range=90d`, tokens.manager);
  expect(own.body.widthSeconds).toBe(10_800);

  // Refusals, each naming its field.
  const refused: [string, string, string][] = [
    [`/api/v1/devices/${id}/readings?range=2d`, 'range', 'Unknown range: use 1h, 24h, 7d, 30d or 90d.'],
    [`/api/v1/devices/${id}/readings?from=${to.toISOString()}&to=${from.toISOString()}`, 'from', 'The end of the range must be after its start.'],
    [`/api/v1/devices/${id}/readings?from=yesterday&to=${to.toISOString()}`, 'from', 'is not an ISO 8601 date-time'],
    [`/api/v1/devices/${id}/readings?range=90d&bucket=60`, 'bucket', '60 s buckets over this range make'],
    [`/api/v1/readings?range=24h&bucket=0`, 'bucket', 'At least 1 second.'],
    [`/api/v1/readings?range=24h&bucket=hourly`, 'bucket', 'bucket is a number of seconds.'],
  ];
  for (const [path, field, message] of refused) {
    const res = await call(path.startsWith('/api/v1/readings') ? 'getFleetSeries' : 'getDeviceSeries', 'GET', path, tokens.manager);
    expect(res.status, path).toBe(400);
    expect(res.body.error?.code, path).toBe('BAD_REQUEST');
    expect(res.body.error?.fields?.[field]?.join(' '), path).toContain(message);
  }
  const unknown = await call('getDeviceSeries', 'GET', '/api/v1/devices/no-such-device/readings?range=24h', tokens.manager);
  expect(unknown.status).toBe(404);

  // The CSV export, unchanged: the same readings.
  const csv = await call('exportReadings', 'GET', `/api/v1/readings/export?device=${id}&from=${from.toISOString()}&to=${to.toISOString()}`, tokens.manager);
  expect(csv.status).toBe(200);
  expect(csv.headers['content-type']).toContain('text/csv');
  expect(csv.text!.split('\r\n')[0]).toBe('time,device_id,device_name,certificate_fingerprint,temperature,worker_seq,received_at');
  expect(csv.text!.trim().split('\r\n')).toHaveLength(truth!.n + 1);
  const badCsv = await call('exportReadings', 'GET', '/api/v1/readings/export?range=1y', tokens.manager);
  expect(badCsv.status).toBe(400);
});

test('[ADMIN][API]: custom CSRs: create (once per key), list, get, download, delete; refused to a MANAGER and a read-only token', async () => {
  const host = `apiv1-${suffix}.acme-corp.com`;
  const data = { country: 'de', state: 'Berlin', locality: 'Berlin', organization: 'certfleet e2e', commonName: host, sans: [`www.${host}`], keyType: 'p256v1' };
  const bad = await call('createCustomCsr', 'POST', '/api/v1/custom-csrs', tokens.admin, { data: { ...data, country: 'Germany', sans: [] } });
  expect(bad.status).toBe(422);
  expect(Object.keys(bad.body.error?.fields ?? {}).sort()).toEqual(['country', 'sans']);
  const low = await call('createCustomCsr', 'POST', '/api/v1/custom-csrs', tokens.manager, { data });
  expect(low.status).toBe(403);
  const readOnly = await call('createCustomCsr', 'POST', '/api/v1/custom-csrs', tokens.readOnly, { data });
  expect(readOnly.status).toBe(403);
  expect(await sql('SELECT id FROM "CustomCsr" WHERE "commonName" = $1', [host])).toHaveLength(0);

  const created = await call('createCustomCsr', 'POST', '/api/v1/custom-csrs', tokens.admin, { data, key: `csr-${host}` });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ commonName: host, country: 'DE', keyType: 'p256v1', sans: [host, `www.${host}`], hostnames: [] });
  const retry = await call('createCustomCsr', 'POST', '/api/v1/custom-csrs', tokens.admin, { data, key: `csr-${host}` });
  expect(retry.headers['idempotent-replayed']).toBe('true');
  expect(retry.body).toEqual(created.body);
  expect(await sql('SELECT id FROM "CustomCsr" WHERE "commonName" = $1', [host])).toHaveLength(1);
  const id = created.body.id as string;

  const list = await call('listCustomCsrs', 'GET', `/api/v1/custom-csrs?q=${host}&keyType=p256v1&inUse=no`, tokens.manager);
  expect((list.body.items as { id: string }[]).map((c) => c.id)).toEqual([id]);
  expect(list.body.nextCursor).toBeNull();
  const paged = await call('listCustomCsrs', 'GET', '/api/v1/custom-csrs?limit=1', tokens.manager);
  expect(paged.body.items).toHaveLength(1);
  expect((await call('listCustomCsrs', 'GET', '/api/v1/custom-csrs?inUse=maybe', tokens.manager)).status).toBe(400);

  const got = await call('getCustomCsr', 'GET', `/api/v1/custom-csrs/${id}`, tokens.manager);
  expect(got.body).toMatchObject({ id, commonName: host, parsed: { keyType: 'EC', sans: [host, `www.${host}`], signatureValid: true } });
  const file = await call('downloadCustomCsr', 'GET', `/api/v1/custom-csrs/${id}/csr`, tokens.manager);
  expect(file.headers['content-type']).toBe('application/pkcs10');
  expect(file.text).toBe(got.body.csrPem);
  expect(file.text).toContain('-----BEGIN CERTIFICATE REQUEST-----\n');
  expect((await call('getCustomCsr', 'GET', '/api/v1/custom-csrs/no-such-csr', tokens.manager)).status).toBe(404);
  expect((await call('downloadCustomCsr', 'GET', '/api/v1/custom-csrs/no-such-csr/csr', tokens.manager)).status).toBe(404);

  for (const token of [tokens.manager, tokens.readOnly]) {
    const refused = await call('deleteCustomCsr', 'DELETE', `/api/v1/custom-csrs/${id}`, token);
    expect(refused.status).toBe(403);
  }
  const deleted = await call('deleteCustomCsr', 'DELETE', `/api/v1/custom-csrs/${id}`, tokens.admin);
  expect(deleted.status).toBe(200);
  expect(deleted.body).toEqual({ commonName: host });
  expect((await call('getCustomCsr', 'GET', `/api/v1/custom-csrs/${id}`, tokens.admin)).status).toBe(404);
  expect((await call('deleteCustomCsr', 'DELETE', `/api/v1/custom-csrs/${id}`, tokens.admin)).status).toBe(404);

  const events = await sql<{ action: string }>(`SELECT action FROM "AuditEvent" WHERE "targetId" = $1 AND details->'apiToken'->>'name' = $2 ORDER BY id`, [id, `apiv1 admin ${suffix}`]);
  expect(events.map((e) => e.action)).toEqual(['customcsr.create', 'customcsr.delete']);
});

test('[API]: alerts (read-only) and alert rules (ADMIN only)', async () => {
  const all = await call('listAlerts', 'GET', '/api/v1/alerts?state=all&limit=2', tokens.manager);
  expect(all.status).toBe(200);
  const [{ n }] = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM "Alert"')) as [{ n: number }];
  expect((all.body.items as unknown[]).length).toBe(Math.min(2, n));
  if (n > 2) expect(all.body.nextCursor).toEqual(expect.any(String));
  const critical = await call('listAlerts', 'GET', '/api/v1/alerts?severity=CRITICAL&state=all', tokens.manager);
  for (const a of critical.body.items as { severity: string }[]) expect(a.severity).toBe('CRITICAL');
  const bad = await call('listAlerts', 'GET', '/api/v1/alerts?severity=LOUD', tokens.manager);
  expect(bad.status).toBe(400);
  expect(Object.keys(bad.body.error?.fields ?? {})).toEqual(['severity']);

  const rules = await call('listAlertRules', 'GET', '/api/v1/alert-rules', tokens.admin);
  expect(rules.status).toBe(200);
  const [{ r }] = (await sql<{ r: number }>('SELECT count(*)::int AS r FROM "AlertRule"')) as [{ r: number }];
  expect((rules.body.items as unknown[]).length).toBe(r);
  const low = await call('listAlertRules', 'GET', '/api/v1/alert-rules', tokens.manager);
  expect(low.status).toBe(403);
  expect(low.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'You do not have permission to configure alert rules and channels.' });
  // The Rules page needs alerts:configure, which is no …:view permission: a read-only token does not have it.
  const readOnly = await call('listAlertRules', 'GET', '/api/v1/alert-rules', tokens.readOnly);
  expect(readOnly.status).toBe(403);
  expect(readOnly.body.error?.message).toContain('read-only');
});

test('[API]: every answer above matches the served OpenAPI 3.1 document', async () => {
  expect(answers.length).toBeGreaterThan(40);
  const doc = (await (await api.get('/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    components: { schemas: Record<string, object> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
  const checked = new Set<string>();
  for (const answer of answers) {
    const op = operations.find((o) => o.operationId === answer.operationId);
    expect(op, answer.operationId).toBeTruthy();
    const response = op!.responses[String(answer.status)] ?? op!.responses.default!;
    if (answer.mediaType) {
      expect(Object.keys(response.content ?? {}), `${answer.operationId} ${answer.status}`).toContain(answer.mediaType);
      continue;
    }
    const schema = JSON.parse(JSON.stringify(response.content!['application/json']!.schema).replaceAll('"#/components/', '"openapi#/components/'));
    const validate = ajv.compile(schema);
    expect(validate(answer.body) ? [] : validate.errors, `${answer.operationId} ${answer.status}`).toEqual([]);
    checked.add(answer.operationId);
  }
  for (const id of ['renewCertificate', 'getDevice', 'getDeviceSeries', 'getFleetSeries', 'listCustomCsrs', 'createCustomCsr', 'getCustomCsr', 'deleteCustomCsr', 'listAlerts', 'listAlertRules']) {
    expect(checked, id).toContain(id);
  }
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APIError } from 'cloudflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCertificate } from '@/lib/pki';
import { cfsslCsr, openssl, opensslCertIds, opensslCsr, opensslVerify } from '@/lib/pki/testing/openssl';
import { eventually, raw, startTestCloudflare, type TestCloudflare } from './testing/harness';
import { failureErrors, specErrors } from './testing/openapi';

const LIST = '/zones/{zone_id}/client_certificates';
const ONE = '/zones/{zone_id}/client_certificates/{client_certificate_id}';
const fixture = (name: string) => readFileSync(path.join(__dirname, '../lib/pki/fixtures', name), 'utf8');

let cf: TestCloudflare;
let p256: { csrPem: string };

beforeAll(async () => {
  cf = await startTestCloudflare();
  p256 = opensslCsr({ subj: '/C=US/ST=Texas/L=Austin/O=Temperature Testers, Inc./OU=Tech Operations/CN=sensor-001.devices.upinatoms.com', san: 'DNS:sensor-001.devices.upinatoms.com' });
});
afterAll(() => cf.cleanup());
beforeEach(() => cf.reset());

const zone = () => ({ zone_id: cf.zoneId });
const issue = (csr = p256.csrPem, validity_days = 365) => cf.sdk.clientCertificates.create({ ...zone(), csr, validity_days });

async function apiError(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(APIError);
  return e as APIError;
}

describe('POST client_certificates (SDK clientCertificates.create)', () => {
  it('returns every documented field, valid against the OpenAPI excerpt', async () => {
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body: { csr: p256.csrPem, validity_days: 3650 } });
    expect(res.status).toBe(200);
    expect(specErrors(LIST, 'post', 200, res.json)).toEqual([]);
    const c = res.json.result;
    expect(Object.keys(c).sort()).toEqual(
      [
        'certificate', 'certificate_authority', 'common_name', 'country', 'csr', 'expires_on', 'fingerprint_sha256', 'id',
        'issued_on', 'location', 'organization', 'organizational_unit', 'serial_number', 'signature', 'ski', 'state', 'status',
        'validity_days',
      ].sort(),
    );
    expect(c).toMatchObject({
      common_name: 'sensor-001.devices.upinatoms.com',
      organization: 'Temperature Testers, Inc.',
      organizational_unit: 'Tech Operations',
      country: 'US',
      state: 'Texas',
      location: 'Austin',
      status: 'active',
      validity_days: 3650,
      signature: 'SHA256WithRSA',
    });
    expect(c.certificate_authority).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: expect.stringMatching(/^Cloudflare Managed CA for account [0-9a-f]{32}$/) });
    // The real API returns the CSR with CRLF line endings.
    expect(c.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\r\n/);
    expect(c.csr.replace(/\r\n/g, '\n')).toBe(p256.csrPem);
    expect(c.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(c.fingerprint_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.ski).toMatch(/^[0-9a-f]{40}$/);
    expect(c.serial_number).toMatch(/^[0-7][0-9a-f]{39}$/);
    const days = (Date.parse(c.expires_on) - Date.parse(c.issued_on)) / 86_400_000;
    expect(days).toBe(3650);
    expect(c.issued_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(cf.zoneId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('issues a real X.509 v3 client certificate that openssl verifies against the zone CA and describes the same way', async () => {
    const c = await issue();
    const pem = c.certificate!;
    expect(opensslVerify(readFileSync(cf.caFiles.zone, 'utf8'), pem, ['-purpose', 'sslclient'])).toMatch(/: OK/);
    const ids = opensslCertIds(pem);
    expect(ids.serial).toBe(c.serial_number!.toUpperCase());
    expect(ids.ski).toBe(c.ski);
    expect(ids.fingerprintSha256).toBe(c.fingerprint_sha256);
    expect(ids.notBefore.toISOString().replace('.000', '')).toBe(c.issued_on);
    expect(ids.notAfter.toISOString().replace('.000', '')).toBe(c.expires_on);
    const zoneCa = await parseCertificate(readFileSync(cf.caFiles.zone, 'utf8'));
    expect(ids.aki).toBe(zoneCa.ski);
    const text = openssl(['x509', '-noout', '-text'], pem);
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text).toMatch(/TLS Web Client Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/DNS:sensor-001\.devices\.upinatoms\.com/);
    // 20-byte positive serial.
    expect(ids.serial).toHaveLength(40);
    expect(parseInt(ids.serial[0], 16)).toBeLessThan(8);
  });

  it("accepts an openssl req RSA 2048 CSR and the seed's cfssl genkey CSR", async () => {
    const rsa = opensslCsr({ subj: '/CN=ios-bootstrap.devices.upinatoms.com', key: 'rsa:2048' });
    const seed = cfsslCsr('ios-bootstrap.devices.upinatoms.com');
    for (const csr of [rsa.csrPem, seed.csrPem, fixture('cfssl-rsa2048.csr')]) {
      const c = await issue(csr, 3650);
      expect(c.common_name).toBe('ios-bootstrap.devices.upinatoms.com');
      expect(opensslVerify(readFileSync(cf.caFiles.zone, 'utf8'), c.certificate!)).toMatch(/: OK/);
      expect(opensslCertIds(c.certificate!).fingerprintSha256).toBe(c.fingerprint_sha256);
    }
    const seeded = await issue(seed.csrPem);
    expect(seeded).toMatchObject({ organization: 'Temperature Testers, Inc.', organizational_unit: 'Tech Operations', location: 'Austin', state: 'Texas', country: 'US' });
  });

  it('accepts the CSR with literal \\n escapes as seed 001 builds the request body', async () => {
    const body = `{"validity_days": 3650, "csr": "${p256.csrPem.replace(/\n/g, '\\n')}"}`;
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body });
    expect(res.status).toBe(200);
  });

  const bad: [string, () => string, RegExp][] = [
    ['garbage', () => 'not a csr at all', /not a certificate signing request/],
    ['a certificate where a CSR is expected', () => fixture('client.pem'), /but this is a certificate/],
    ['RSA 1024', () => fixture('rsa1024.csr'), /1024 bits; at least 2048/],
    ['a tampered signature', () => fixture('tampered.csr'), /signature does not verify/],
    ['no subject', () => fixture('no-subject.csr'), /empty subject/],
  ];
  for (const [name, csr, message] of bad) {
    it(`refuses ${name} with 400 and a clear message, changing nothing`, async () => {
      const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body: { csr: csr(), validity_days: 365 } });
      expect(res.status).toBe(400);
      expect(failureErrors(res.json)).toEqual([]);
      expect(res.json.errors[0].message).toMatch(/^Invalid CSR: /);
      expect(res.json.errors[0].message).toMatch(message);
      expect(cf.store.listClientCertificates()).toHaveLength(0);
      const e = await apiError(issue(csr()));
      expect(e.status).toBe(400);
    });
  }

  it('refuses a missing or out-of-range validity_days', async () => {
    for (const validity_days of [0, 1.5, 99999, '365']) {
      const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body: { csr: p256.csrPem, validity_days } });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].message).toMatch(/validity_days/);
    }
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body: '{"csr": ' });
    expect(res.json.errors[0]).toEqual({ code: 1400, message: 'Unable to decode the JSON request body. Check your input and try again.' });
    expect(cf.store.listClientCertificates()).toHaveLength(0);
  });
});

describe('GET client_certificates (list, pagination)', () => {
  it('pages with page/per_page and result_info; a page past the end is []', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await issue()).id!);
    const page1 = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates?per_page=5`);
    expect(specErrors(LIST, 'get', 200, page1.json)).toEqual([]);
    expect(page1.json.result_info).toEqual({ page: 1, per_page: 5, count: 5, total_count: 12, total_pages: 3 });
    const page3 = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates?per_page=5&page=3`);
    expect(page3.json.result.map((c: { id: string }) => c.id)).toEqual(ids.slice(10));
    const past = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates?per_page=5&page=4`);
    expect(past.status).toBe(200);
    expect(past.json.result).toEqual([]);
    expect(past.json.result_info).toMatchObject({ page: 4, count: 0, total_count: 12 });
    const byDefault = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates`);
    expect(byDefault.json.result_info.per_page).toBe(20);
  });

  it("the SDK's for-await auto-paging returns everything once and terminates", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 11; i++) ids.add((await issue()).id!);
    const seen: string[] = [];
    for await (const c of cf.sdk.clientCertificates.list({ ...zone(), per_page: 5 })) seen.push(c.id!);
    expect(seen).toHaveLength(11);
    expect(new Set(seen)).toEqual(ids);
    const first = await cf.sdk.clientCertificates.list({ ...zone(), per_page: 5, page: 3 });
    expect(first.result).toHaveLength(1);
  });

  it('refuses per_page outside 5..50 and page < 1', async () => {
    for (const q of ['per_page=4', 'per_page=51', 'page=0', 'per_page=abc']) {
      const res = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates?${q}`);
      expect(res.status).toBe(400);
      expect(failureErrors(res.json)).toEqual([]);
    }
  });

  it('filters by status and honours limit/offset', async () => {
    const a = await issue();
    const b = await issue();
    await issue();
    await cf.sdk.clientCertificates.delete(b.id!, zone());
    const pending = await cf.sdk.clientCertificates.list({ ...zone(), status: 'pending_revocation' });
    expect(pending.result.map((c) => c.id)).toEqual([b.id]);
    const active = await cf.sdk.clientCertificates.list({ ...zone(), status: 'active' });
    expect(active.result).toHaveLength(2);
    const all = await cf.sdk.clientCertificates.list({ ...zone(), status: 'all' });
    expect(all.result).toHaveLength(3);
    const windowed = await cf.sdk.clientCertificates.list({ ...zone(), offset: 1, limit: 1 });
    expect(windowed.result.map((c) => c.id)).toEqual([b.id]);
    expect((await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates?status=bogus`)).status).toBe(400);
    void a;
  });
});

describe('GET one, revoke (DELETE) and reactivate (PATCH)', () => {
  it('moves active → pending_revocation → revoked after the delay, each response valid', async () => {
    const c = await issue();
    const got = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates/${c.id}`);
    expect(specErrors(ONE, 'get', 200, got.json)).toEqual([]);
    expect(got.json.result).toEqual((await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates/${c.id}`)).json.result);
    const del = await raw(cf, 'DELETE', `/zones/${cf.zoneId}/client_certificates/${c.id}`);
    expect(specErrors(ONE, 'delete', 200, del.json)).toEqual([]);
    expect(del.json.result.status).toBe('pending_revocation');
    expect(cf.store.certificateStatusBySerial(c.serial_number!)).toBe('pending_revocation');
    await eventually(async () => (await cf.sdk.clientCertificates.get(c.id!, zone())).status === 'revoked');
    expect(cf.store.certificateStatusBySerial(c.serial_number!.toUpperCase())).toBe('revoked');
    const again = await raw(cf, 'DELETE', `/zones/${cf.zoneId}/client_certificates/${c.id}`);
    expect(again.status).toBe(400);
    expect(again.json.errors[0].message).toMatch(/already revoked/);
  });

  it('reactivates a pending_revocation certificate: pending_reactivation → active', async () => {
    cf.configure({ revocationDelayMs: 60_000 });
    const c = await issue();
    await cf.sdk.clientCertificates.delete(c.id!, zone());
    const patched = await raw(cf, 'PATCH', `/zones/${cf.zoneId}/client_certificates/${c.id}`, { body: { reactivate: true } });
    expect(specErrors(ONE, 'patch', 200, patched.json)).toEqual([]);
    expect(patched.json.result.status).toBe('pending_reactivation');
    await eventually(async () => (await cf.sdk.clientCertificates.get(c.id!, zone())).status === 'active');
    const e = await apiError(cf.sdk.clientCertificates.edit(c.id!, { ...zone(), reactivate: true }));
    expect(e.status).toBe(400);
  });

  it('settles pending revocations at once on POST /emulator/settle, leaving others alone', async () => {
    cf.configure({ revocationDelayMs: 3_600_000 });
    const pending = await issue();
    const active = await issue();
    await cf.sdk.clientCertificates.delete(pending.id!, zone());
    expect((await cf.sdk.clientCertificates.get(pending.id!, zone())).status).toBe('pending_revocation');
    const settled = await raw(cf, 'POST', '/emulator/settle');
    expect(settled.status).toBe(200);
    expect(settled.json.result.settled).toBeGreaterThanOrEqual(1);
    expect((await cf.sdk.clientCertificates.get(pending.id!, zone())).status).toBe('revoked');
    expect((await cf.sdk.clientCertificates.get(active.id!, zone())).status).toBe('active');
    expect((await raw(cf, 'POST', '/emulator/settle', { auth: 'none' })).status).toBe(400);
  });

  it('answers 404 for an unknown certificate', async () => {
    const res = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificates/4f2b0c0e-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect(failureErrors(res.json)).toEqual([]);
    expect((await apiError(cf.sdk.clientCertificates.delete('nope', zone()))).status).toBe(404);
  });
});

describe('per-zone quota', () => {
  it('refuses issuance over the quota; a completed revocation releases a slot', async () => {
    cf.configure({ clientCertificateQuota: 2 });
    const a = await issue();
    await issue();
    const over = await raw(cf, 'POST', `/zones/${cf.zoneId}/client_certificates`, { body: { csr: p256.csrPem, validity_days: 30 } });
    expect(over.status).toBe(403);
    expect(over.json.errors[0].message).toMatch(/quota exceeded/i);
    await cf.sdk.clientCertificates.delete(a.id!, zone());
    await eventually(() => cf.store.certificateStatusBySerial(a.serial_number!) === 'revoked');
    await issue();
    expect(cf.store.listClientCertificates()).toHaveLength(3);
    // Restoring the revoked one would take a slot that is not free.
    expect((await apiError(cf.sdk.clientCertificates.edit(a.id!, { ...zone(), reactivate: true }))).status).toBe(403);
  });

  it('does not let concurrent requests overshoot the quota', async () => {
    cf.configure({ clientCertificateQuota: 3 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => issue()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(cf.store.listClientCertificates()).toHaveLength(3);
  });
});

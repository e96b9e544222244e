import Cloudflare, { APIError } from 'cloudflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opensslCsr } from '@/lib/pki/testing/openssl';
import { raw, sleep, startTestCloudflare, type TestCloudflare } from './testing/harness';
import { failureErrors, specErrors } from './testing/openapi';

let cf: TestCloudflare;
let csrPem: string;
beforeAll(async () => {
  cf = await startTestCloudflare();
  csrPem = opensslCsr({ subj: '/CN=sensor-9.devices.upinatoms.com' }).csrPem;
});
afterAll(() => cf.cleanup());
beforeEach(() => cf.reset());

const certs = () => `/zones/${cf.zoneId}/client_certificates`;

describe('authentication, as api.cloudflare.com answers it', () => {
  it('accepts the API token (Bearer) and the Global API key (X-Auth-Email + X-Auth-Key)', async () => {
    expect((await raw(cf, 'GET', certs(), { auth: 'token' })).status).toBe(200);
    expect((await raw(cf, 'GET', certs(), { auth: 'key' })).status).toBe(200);
    const sdkWithKey = new Cloudflare({ apiEmail: cf.apiEmail, apiKey: cf.apiKey, apiToken: null, userServiceKey: null, baseURL: cf.apiBaseUrl, maxRetries: 0 });
    const created = await sdkWithKey.clientCertificates.create({ zone_id: cf.zoneId, csr: csrPem, validity_days: 30 });
    expect(created.status).toBe('active');
  });

  const cases: [string, Record<string, string>, number, { code: number; message: string }][] = [
    ['no credentials', {}, 400, { code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }],
    ['an unknown token', { authorization: `Bearer ${'x'.repeat(40)}` }, 401, { code: 1000, message: 'Invalid API Token' }],
    ['a malformed Authorization header', { authorization: 'Token abc' }, 400, { code: 6003, message: 'Invalid request headers' }],
    ['a wrong Global API key', { 'x-auth-email': 'admin@certfleet.local', 'x-auth-key': 'f'.repeat(37) }, 403, { code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' }],
    ['a malformed X-Auth-Key', { 'x-auth-email': 'admin@certfleet.local', 'x-auth-key': 'short' }, 400, { code: 6003, message: 'Invalid request headers' }],
  ];
  for (const [name, headers, status, first] of cases) {
    it(`refuses ${name} with ${status} ${first.code}`, async () => {
      const res = await raw(cf, 'POST', certs(), { auth: 'none', headers, body: { csr: csrPem, validity_days: 30 } });
      expect(res.status).toBe(status);
      expect(failureErrors(res.json)).toEqual([]);
      expect(res.json.errors[0]).toMatchObject(first);
      expect(res.text).not.toContain(cf.apiToken);
      expect(cf.store.listClientCertificates()).toHaveLength(0);
    });
  }

  it('explains a malformed X-Auth-Key in error_chain (6103)', async () => {
    const res = await raw(cf, 'GET', certs(), { auth: 'none', headers: { 'x-auth-email': 'a@b.c', 'x-auth-key': 'nope' } });
    expect(res.json.errors[0].error_chain).toEqual([{ code: 6103, message: 'Invalid format for X-Auth-Key header' }]);
  });

  it('answers 403 10000 for a zone the credentials cannot reach', async () => {
    const res = await raw(cf, 'GET', `/zones/${'0'.repeat(32)}/client_certificates`);
    expect(res.status).toBe(403);
    expect(res.json.errors[0]).toEqual({ code: 10000, message: 'Authentication error' });
  });
});

describe('routing, as api.cloudflare.com answers it', () => {
  it('unknown routes: 400 with 7003 (identifier hint) and 7000', async () => {
    const res = await raw(cf, 'GET', `/zones/${cf.zoneId}/client_certificatez`);
    expect(res.status).toBe(400);
    expect(failureErrors(res.json)).toEqual([]);
    expect(res.json.errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);
    expect(res.json.errors[0].message).toBe(`Could not route to /zones/${cf.zoneId}/client_certificatez, perhaps your object identifier is invalid?`);
    const bad = await raw(cf, 'GET', '/zones/not-a-zone/client_certificates');
    expect(bad.json.errors[1]).toEqual({ code: 7000, message: 'No route for that URI' });
    const top = await raw(cf, 'GET', '/nothing/here', { auth: 'none' });
    expect(top.status).toBe(400);
    expect(top.json.errors).toEqual([{ code: 7000, message: 'No route for that URI' }]);
  });

  it('a known route with the wrong method: 405', async () => {
    const res = await raw(cf, 'PUT', certs(), { body: {} });
    expect(res.status).toBe(405);
    expect(res.json.errors[0].message).toBe('Method PUT not available for that URI.');
  });
});

describe('hostname associations (SDK certificateAuthorities.hostnameAssociations)', () => {
  it('GET and PUT replace the list, valid against the excerpt', async () => {
    const path = '/zones/{zone_id}/certificate_authorities/hostname_associations';
    const empty = await raw(cf, 'GET', `/zones/${cf.zoneId}/certificate_authorities/hostname_associations`);
    expect(specErrors(path, 'get', 200, empty.json)).toEqual([]);
    expect(empty.json.result).toEqual({ hostnames: [] });
    const put = await raw(cf, 'PUT', `/zones/${cf.zoneId}/certificate_authorities/hostname_associations`, { body: { hostnames: ['shield.upinatoms.com', 'API.upinatoms.com'] } });
    expect(specErrors(path, 'put', 200, put.json)).toEqual([]);
    expect(put.json.result.hostnames).toEqual(['shield.upinatoms.com', 'api.upinatoms.com']);
    const viaSdk = await cf.sdk.certificateAuthorities.hostnameAssociations.update({ zone_id: cf.zoneId, hostnames: ['localhost', 'shield.upinatoms.com'] });
    expect(viaSdk.hostnames).toEqual(['localhost', 'shield.upinatoms.com']);
    expect((await cf.sdk.certificateAuthorities.hostnameAssociations.get({ zone_id: cf.zoneId })).hostnames).toEqual(['localhost', 'shield.upinatoms.com']);
    expect(cf.store.hostnameAssociations()).toEqual(['localhost', 'shield.upinatoms.com']);
    const bad = await raw(cf, 'PUT', `/zones/${cf.zoneId}/certificate_authorities/hostname_associations`, { body: { hostnames: ['not a host'] } });
    expect(bad.status).toBe(400);
  });
});

describe('rate limit: 1,200 requests per 5 minutes per credential, then a lock-out', () => {
  it('defaults to Cloudflare’s numbers and sends Ratelimit headers', async () => {
    const res = await raw(cf, 'GET', certs());
    expect(res.headers.get('ratelimit-policy')).toBe('"default";q=1200;w=300');
    expect(res.headers.get('ratelimit')).toMatch(/^"default";r=1199;t=\d+$/);
  });

  it('answers 429 971 with retry-after once over the limit and keeps refusing for the lock-out, per credential', async () => {
    cf.configure({ rateLimit: { limit: 3, windowMs: 200, lockoutMs: 1200 } });
    for (let i = 0; i < 3; i++) expect((await raw(cf, 'GET', certs())).status).toBe(200);
    const limited = await raw(cf, 'GET', certs());
    expect(limited.status).toBe(429);
    // The real 429 carries code 971, below the excerpt's `minimum: 1000` for error codes; the emulator follows the real API.
    expect(failureErrors(limited.json)).toEqual(['/errors/0/code must be >= 1000']);
    expect(limited.json.errors[0]).toEqual({ code: 971, message: 'Please wait and consider throttling your request speed' });
    expect(Number(limited.headers.get('retry-after'))).toBe(2);
    // The window has passed, but the lock-out has not: still refused, and nothing is done.
    await sleep(300);
    const locked = await raw(cf, 'POST', certs(), { body: { csr: csrPem, validity_days: 30 } });
    expect(locked.status).toBe(429);
    expect(cf.store.listClientCertificates()).toHaveLength(0);
    // Another credential has its own budget.
    expect((await raw(cf, 'GET', certs(), { auth: 'key' })).status).toBe(200);
    await sleep(1000);
    expect((await raw(cf, 'GET', certs())).status).toBe(200);
  });

  it('the SDK waits for retry-after and then succeeds', async () => {
    cf.configure({ rateLimit: { limit: 1, windowMs: 60_000, lockoutMs: 1000 } });
    const sdk = new Cloudflare({ apiToken: cf.apiToken, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: cf.apiBaseUrl, maxRetries: 2 });
    await sdk.clientCertificates.list({ zone_id: cf.zoneId });
    const started = Date.now();
    await raw(cf, 'GET', certs()); // trips the lock-out
    const page = await sdk.clientCertificates.list({ zone_id: cf.zoneId });
    expect(page.result).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('fault injection (POST /emulator/config)', () => {
  it('answers a share of requests with 5xx before handling them, and drops connections', async () => {
    const cfg = await raw(cf, 'POST', '/emulator/config', { body: { faults: { errorRate: 1 } } });
    expect(cfg.json.result.faults.errorRate).toBe(1);
    const res = await raw(cf, 'POST', certs(), { body: { csr: csrPem, validity_days: 30 } });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(cf.store.listClientCertificates()).toHaveLength(0);
    cf.configure({ faults: { errorRate: 0, dropRate: 1, latencyMs: 0 } });
    await expect(raw(cf, 'GET', certs())).rejects.toThrow();
    // Emulator routes are never faulted, so a test can always switch faults off again.
    expect((await raw(cf, 'POST', '/emulator/config', { body: { faults: { dropRate: 0 } } })).status).toBe(200);
    expect((await raw(cf, 'GET', certs())).status).toBe(200);
  });

  it('adds latency', async () => {
    cf.configure({ faults: { latencyMs: 120, errorRate: 0, dropRate: 0 } });
    const t = Date.now();
    await raw(cf, 'GET', certs());
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
  });

  it('an SDK with retries gets through a 40% error rate and dropped connections without duplicates', async () => {
    cf.configure({ faults: { errorRate: 0.4, dropRate: 0.1, latencyMs: 0, seed: 7 } });
    const sdk = new Cloudflare({ apiToken: cf.apiToken, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: cf.apiBaseUrl, maxRetries: 6 });
    const made = [];
    const before = cf.stats();
    for (let i = 0; i < 3; i++) made.push(await sdk.clientCertificates.create({ zone_id: cf.zoneId, csr: csrPem, validity_days: 30 }));
    expect(cf.stats().injectedErrors + cf.stats().droppedConnections).toBeGreaterThan(before.injectedErrors + before.droppedConnections);
    expect(cf.store.listClientCertificates().map((c) => c.id).sort()).toEqual(made.map((c) => c.id).sort());
  });
});

describe('emulator-only routes', () => {
  it('serves the CA certificates without credentials', async () => {
    const zone = await fetch(`${cf.origin}/emulator/ca/zone.pem`);
    expect(zone.status).toBe(200);
    expect(await zone.text()).toBe(cf.store.zoneCaCertPem());
    expect(await (await fetch(`${cf.origin}/emulator/ca/public.pem`)).text()).toBe(cf.store.publicCaCertPem());
  });

  it('reset needs credentials and empties the zone', async () => {
    await cf.sdk.clientCertificates.create({ zone_id: cf.zoneId, csr: csrPem, validity_days: 30 });
    expect((await raw(cf, 'POST', '/emulator/reset', { auth: 'none' })).status).toBe(400);
    expect(cf.store.listClientCertificates()).toHaveLength(1);
    expect((await raw(cf, 'POST', '/emulator/reset')).status).toBe(200);
    expect(cf.store.listClientCertificates()).toHaveLength(0);
  });
});

it('errors reach the SDK as its typed errors', async () => {
  const e = await cf.sdk.clientCertificates.get('missing', { zone_id: cf.zoneId }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(APIError);
  expect((e as APIError).status).toBe(404);
});

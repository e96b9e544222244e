import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';
import { opensslCertIds, opensslCsr, opensslVerify } from '@/lib/pki/testing/openssl';
import { CloudflareError } from './errors';
import { createCloudflareGateway, type CloudflareGateway } from './gateway';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../pki/fixtures', name), 'utf8');

let cf: TestCloudflare;
let gw: CloudflareGateway;
let csr: string;

beforeAll(async () => {
  cf = await startTestCloudflare();
  gw = createCloudflareGateway({ apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl });
  csr = opensslCsr({ subj: '/C=US/O=Temperature Testers, Inc./CN=sensor-001.devices.upinatoms.com', san: 'DNS:sensor-001.devices.upinatoms.com' }).csrPem;
});
afterAll(() => cf.cleanup());
beforeEach(async () => {
  cf.reset();
  // A lock-out one case provoked on purpose is recorded in the shared budget; the next case starts clean.
  await gw.budget.reset();
});

async function failure(p: Promise<unknown>): Promise<CloudflareError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(CloudflareError);
  const err = e as CloudflareError;
  // Whatever failed, the token must not be in what a page or a log would show.
  expect(JSON.stringify(err)).not.toContain(cf.apiToken);
  expect(err.message).not.toContain(cf.apiToken);
  expect(String(err.stack)).not.toContain(cf.apiToken);
  return err;
}

describe('client certificate verbs', () => {
  it('issues: certfleet formats, identical to what openssl prints', async () => {
    const c = await gw.issueClientCertificate({ csr, validityDays: 365 });
    const ids = opensslCertIds(c.certificatePem);
    expect(c.serialNumber).toBe(ids.serial);
    expect(c.ski).toBe(ids.ski);
    expect(c.fingerprintSha256).toBe(ids.fingerprintSha256);
    expect(c).toMatchObject({ status: 'active', commonName: 'sensor-001.devices.upinatoms.com', organization: 'Temperature Testers, Inc.', validityDays: 365, signature: 'SHA256WithRSA' });
    expect(c.csrPem).toBe(csr);
    expect(c.expiresOn.getTime() - c.issuedOn.getTime()).toBe(365 * 86_400_000);
    expect(c.certificateAuthority?.name).toMatch(/^Cloudflare Managed CA for account/);
    expect(opensslVerify(readFileSync(cf.caFiles.zone, 'utf8'), c.certificatePem)).toMatch(/OK/);
  });

  it('lists every page, filters by status, gets, revokes and reactivates', async () => {
    // Both pending states held for a minute: on a busy machine listing 53 certificates took longer than the
    // emulator's default 2 s to complete a revocation, and the pending_revocation filter found it revoked.
    cf.configure({ reactivationDelayMs: 60_000, revocationDelayMs: 60_000 });
    const made = [];
    for (let i = 0; i < 53; i++) made.push(await cf.store.createClientCertificate({ csr, validity_days: 10 }));
    const all = await gw.listClientCertificates();
    expect(all.map((c) => c.id)).toEqual(made.map((c) => c.id));
    const one = await gw.getClientCertificate(made[0].id);
    expect(one.serialNumber).toBe(made[0].serialUpper);

    const revoked = await gw.revokeClientCertificate(made[1].id);
    expect(revoked.status).toBe('pending_revocation');
    expect((await gw.listClientCertificates({ status: 'pending_revocation' })).map((c) => c.id)).toEqual([made[1].id]);
    const back = await gw.reactivateClientCertificate(made[1].id);
    expect(back.status).toBe('pending_reactivation');
    let n = 0;
    for await (const c of gw.iterateClientCertificates({ status: 'active' })) n += c.status === 'active' ? 1 : 0;
    expect(n).toBe(52);
  });

  it('refuses a bad CSR locally with BAD_CSR, without calling Cloudflare', async () => {
    for (const bad of ['garbage', fixture('client.pem'), fixture('rsa1024.csr'), fixture('tampered.csr'), fixture('no-subject.csr')]) {
      const e = await failure(gw.issueClientCertificate({ csr: bad, validityDays: 30 }));
      expect(e.code).toBe('BAD_CSR');
      expect(e.status).toBeUndefined();
    }
    expect(cf.store.listClientCertificates()).toHaveLength(0);
  });

  it('maps Cloudflare refusals: NOT_FOUND, INVALID_REQUEST, QUOTA_EXCEEDED', async () => {
    expect((await failure(gw.getClientCertificate('0d89c70d-ad9f-4843-b99f-6cc0252067e9'))).code).toBe('NOT_FOUND');
    const invalid = await failure(gw.issueClientCertificate({ csr, validityDays: 0 }));
    expect(invalid).toMatchObject({ code: 'INVALID_REQUEST', status: 400 });
    expect(invalid.message).toMatch(/validity_days/);
    cf.configure({ clientCertificateQuota: 1 });
    await gw.issueClientCertificate({ csr, validityDays: 30 });
    const quota = await failure(gw.issueClientCertificate({ csr, validityDays: 30 }));
    expect(quota.code).toBe('QUOTA_EXCEEDED');
    expect(quota.message).toMatch(/Revoke/);
    const c = cf.store.listClientCertificates()[0];
    await gw.revokeClientCertificate(c.id);
    const twice = await failure(gw.revokeClientCertificate(c.id));
    expect(twice.code).toBe('INVALID_REQUEST');
  });
});

describe('custom CSR and custom hostname verbs (seed 004)', () => {
  it('creates, lists, gets; KEY_IN_USE names the hostname; deletes in order', async () => {
    const made = await gw.createCustomCsr({
      commonName: 'app.cityofboston.dev',
      sans: ['app.cityofboston.dev'],
      country: 'US',
      state: 'MA',
      locality: 'Boston',
      organization: 'City of Boston',
      keyType: 'p256v1',
    });
    expect(made.csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    expect((await gw.listCustomCsrs()).map((c) => c.id)).toEqual([made.id]);
    expect((await gw.getCustomCsr(made.id)).commonName).toBe('app.cityofboston.dev');

    const cert = await cf.store.signWithPublicCa(made.csrPem, 30);
    const host = await gw.createCustomHostname({ hostname: 'app.cityofboston.dev', customCsrId: made.id, customCertificate: cert });
    expect(host.ssl.customCsrId).toBe(made.id);
    expect(host.ssl.serialNumber).toBe(opensslCertIds(cert).serial);
    expect((await gw.listCustomHostnames({ hostname: 'app.cityofboston.dev' })).map((h) => h.id)).toEqual([host.id]);
    expect((await gw.getCustomHostname(host.id)).hostname).toBe('app.cityofboston.dev');

    const requestsBefore = cf.stats().requests;
    const inUse = await failure(gw.deleteCustomCsr(made.id));
    expect(inUse).toMatchObject({ code: 'KEY_IN_USE', hostname: 'app.cityofboston.dev', status: 409 });
    expect(inUse.message).toMatch(/app\.cityofboston\.dev/);
    // 409 is not retried (the SDK would by default): one DELETE, then one page of hostnames to name the user.
    expect(cf.stats().requests - requestsBefore).toBe(2);

    await gw.deleteCustomHostname(host.id);
    await gw.deleteCustomCsr(made.id);
    expect(await gw.listCustomCsrs()).toEqual([]);
    expect((await failure(gw.getCustomCsr(made.id))).code).toBe('NOT_FOUND');
  });

  it('BAD_CERTIFICATE for a self-signed certificate', async () => {
    const made = await gw.createCustomCsr({ commonName: 'app.cityofboston.dev', sans: ['app.cityofboston.dev'], country: 'US', state: 'MA', locality: 'Boston', organization: 'City', keyType: 'p256v1' });
    const e = await failure(gw.createCustomHostname({ hostname: 'app.cityofboston.dev', customCsrId: made.id, customCertificate: fixture('ca.pem') }));
    expect(e.code).toBe('BAD_CERTIFICATE');
    expect(e.message).toMatch(/publicly trusted CA/);
  });

  it('INVALID_REQUEST for a CSR the documented validation refuses', async () => {
    const e = await failure(gw.createCustomCsr({ commonName: 'app.example.com', sans: ['app.example.com'], country: 'US', state: 'MA', locality: 'Boston', organization: 'City', keyType: 'p256v1' }));
    expect(e.code).toBe('INVALID_REQUEST');
    expect(e.cloudflareErrors[0].code).toBe(1416);
  });
});

describe('hostname associations', () => {
  it('gets and replaces', async () => {
    expect(await gw.getHostnameAssociations()).toEqual([]);
    expect(await gw.updateHostnameAssociations(['shield.upinatoms.com'])).toEqual(['shield.upinatoms.com']);
    expect(await gw.getHostnameAssociations()).toEqual(['shield.upinatoms.com']);
  });
});

describe('failures a person can act on', () => {
  it('AUTH for a wrong token and for a zone the token cannot reach', async () => {
    const wrongToken = createCloudflareGateway({ apiToken: 'W'.repeat(40), zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl });
    const e1 = await failure(wrongToken.listClientCertificates());
    expect(e1.code).toBe('AUTH');
    expect(e1.message).toMatch(/CLOUDFLARE_API_TOKEN/);
    expect(JSON.stringify(e1)).not.toContain('W'.repeat(40));
    const otherZone = createCloudflareGateway({ apiToken: cf.apiToken, zoneId: 'b'.repeat(32), baseUrl: cf.apiBaseUrl });
    const e2 = await failure(otherZone.getHostnameAssociations());
    expect(e2.code).toBe('AUTH');
    expect(e2.message).toMatch(/CLOUDFLARE_ZONE_ID/);
  });

  it('RATE_LIMITED with retryAfter, immediately, during the lock-out', async () => {
    cf.configure({ rateLimit: { limit: 2, windowMs: 60_000, lockoutMs: 300_000 } });
    // Another tool with the same token spends the limit (certfleet's own calls would wait for the budget instead).
    const other = () => fetch(`${cf.apiBaseUrl}/zones/${cf.zoneId}/client_certificates`, { headers: { authorization: `Bearer ${cf.apiToken}` } });
    await other();
    await other();
    const started = Date.now();
    const e = await failure(gw.getHostnameAssociations());
    expect(e).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: 300 });
    expect(e.message).toMatch(/in 300 s/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits out a short retry-after instead of failing', async () => {
    cf.configure({ rateLimit: { limit: 1, windowMs: 60_000, lockoutMs: 1000 } });
    await gw.getHostnameAssociations();
    await fetch(`${cf.apiBaseUrl}/zones/${cf.zoneId}/client_certificates`, { headers: { authorization: `Bearer ${cf.apiToken}` } });
    expect(await gw.getHostnameAssociations()).toEqual([]);
  });

  it('follows the limit the API announces (ratelimit-policy), from the first answer on: never a 429', async () => {
    cf.configure({ rateLimit: { limit: 20, windowMs: 4_000, lockoutMs: 300_000 } });
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next++ < 50) await gw.getHostnameAssociations();
        }),
      );
      expect(gw.budget.policy).toEqual({ limit: 20, windowMs: 4_000 });
      const seen = cf.stats().rateLimit;
      expect(seen.rateLimited).toBe(0);
      expect(seen.maxInWindow).toBeLessThanOrEqual(20);
      expect(seen.maxInWindow).toBeGreaterThan(5);
    } finally {
      cf.configure({ rateLimit: null });
    }
    // Answers without the header again: back to the configured policy (Cloudflare's).
    await gw.getHostnameAssociations();
    expect(gw.budget.policy).toEqual({ limit: 1200, windowMs: 300_000 });
  });

  it('survives injected 5xx answers and dropped connections with retries, without duplicates', async () => {
    cf.configure({ faults: { errorRate: 0.35, dropRate: 0.1, latencyMs: 0, seed: 3 } });
    const before = cf.stats();
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push(await gw.issueClientCertificate({ csr, validityDays: 30 }));
    cf.configure({ faults: { errorRate: 0, dropRate: 0, latencyMs: 0 } });
    const after = cf.stats();
    expect(after.injectedErrors - before.injectedErrors).toBeGreaterThan(0);
    expect(after.droppedConnections - before.droppedConnections).toBeGreaterThan(0);
    const stored = cf.store.listClientCertificates();
    expect(stored).toHaveLength(5);
    expect(stored.map((c) => c.id).sort()).toEqual(issued.map((c) => c.id).sort());
  });

  it('UPSTREAM when Cloudflare keeps failing', async () => {
    cf.configure({ faults: { errorRate: 1, dropRate: 0, latencyMs: 0 } });
    const quick = createCloudflareGateway({ apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl }, { maxRetries: 1 });
    const e = await failure(quick.issueClientCertificate({ csr, validityDays: 30 }));
    expect(e.code).toBe('UPSTREAM');
    expect(cf.store.listClientCertificates()).toHaveLength(0);
  });

  it('UNREACHABLE when nothing listens, with a hint about the emulator', async () => {
    const down = createCloudflareGateway({ apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: 'http://127.0.0.1:9/client/v4' }, { maxRetries: 0 });
    const e = await failure(down.getHostnameAssociations());
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toMatch(/local emulator running/);
  });
});

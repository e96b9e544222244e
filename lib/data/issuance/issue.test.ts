import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, type SessionUser } from '@/lib/auth/errors';
import type { CloudflareConfig } from '@/lib/cloudflare';
import { csrDigest } from '@/lib/certificates/record';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';
import { defaultConfig } from '@/emulator';
import { enrollmentRequestId } from './after-enroll';
import { csrPemDigest } from './csr';
import { IssuanceError } from './errors';
import { healPendingIssuances } from './heal';
import { issueCertificate, issueCertificateForDevice } from './issue';
import type { IssuanceOptions, SystemActor } from './types';
import { pacedCloudflare, rateBudgetFor } from '@/lib/cloudflare';

const fixture = (name: string) => readFileSync(new URL(`../../pki/fixtures/${name}`, import.meta.url), 'utf8');

let testDb: TestDatabase;
let cf: TestCloudflare;
let config: CloudflareConfig;
let admin: SessionUser;
let manager: SessionUser;
const system: SystemActor = { id: null, email: 'system:test' };

/** The token's budget, kept in this test's own database. */
const budget = () => rateBudgetFor(config, { prisma: () => testDb.prisma });

function options(extra: Partial<IssuanceOptions> & { timeoutMs?: number } = {}): IssuanceOptions {
  const { timeoutMs, ...rest } = extra;
  return { prisma: testDb.prisma, cloudflare: pacedCloudflare({ config, budget: budget(), ...(timeoutMs ? { timeoutMs } : {}) }), ...rest };
}

async function csr(cn: string) {
  return (await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: cn } })).csrPem;
}

async function newDevice(name: string) {
  return testDb.prisma.device.create({ data: { name, group: 'test', commonName: name } });
}

/** Certificates at the local Cloudflare whose CSR is `pem`. */
async function atCloudflare(pem: string): Promise<number> {
  const digest = await csrDigest(pem);
  let n = 0;
  for (const c of cf.store.listClientCertificates('all')) if ((await csrDigest(c.csr)) === digest) n++;
  return n;
}

async function inDatabase(pem: string): Promise<number> {
  const digest = await csrDigest(pem);
  const rows = await testDb.prisma.certificate.findMany({ select: { csr: true } });
  let n = 0;
  for (const r of rows) if (r.csr && (await csrDigest(r.csr)) === digest) n++;
  return n;
}

const rid = (label: string) => `test:${label}:${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  cf = await startTestCloudflare({ rateLimit: null });
  config = { apiToken: cf.apiToken, zoneId: cf.zoneId, baseUrl: cf.apiBaseUrl };
  admin = { ...(await testDb.prisma.user.create({ data: { email: 'admin@issuance.test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } })), role: 'ADMIN' };
  manager = { ...(await testDb.prisma.user.create({ data: { email: 'manager@issuance.test', name: 'M', role: 'MANAGER', passwordHash: 'x' } })), role: 'MANAGER' };
});

afterAll(async () => {
  await cf?.cleanup();
  await testDb?.stop();
});

beforeEach(() => {
  cf.configure({ faults: defaultConfig().faults, rateLimit: null });
});

describe('issueCertificateForDevice', () => {
  it('issues once per request id: a retry returns the recorded certificate, never a second one', async () => {
    const device = await newDevice('idem-1');
    const pem = await csr('idem-1');
    const requestId = rid('idem');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 30, source: 'ENROLLED' as const, actor: admin, requestId };
    const first = await issueCertificateForDevice(input, options());
    expect(first.outcome).toBe('issued');
    expect(first.certificate).toMatchObject({ deviceId: device.id, commonName: 'idem-1', validityDays: 30, status: 'ACTIVE' });
    expect(first.certificate.ski).toMatch(/^[0-9a-f]{40}$/);

    const again = await issueCertificateForDevice(input, options());
    expect(again.outcome).toBe('already-issued');
    expect(again.certificate.id).toBe(first.certificate.id);
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);

    const intent = await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: requestId } });
    expect(intent).toMatchObject({ status: 'ISSUED', cloudflareId: first.certificate.cloudflareId, actorEmail: admin.email });
    const audit = await testDb.prisma.auditEvent.findMany({ where: { action: 'certificate.issue', targetId: first.certificate.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorEmail: admin.email, targetLabel: 'idem-1' });
  });

  it('shares one attempt between concurrent submits of the same request', async () => {
    const device = await newDevice('double-click');
    const pem = await csr('double-click');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 30, source: 'ENROLLED' as const, actor: admin, requestId: rid('same') };
    const [a, b] = await Promise.all([issueCertificateForDevice(input, options()), issueCertificateForDevice(input, options())]);
    expect(a.certificate.id).toBe(b.certificate.id);
    expect(await atCloudflare(pem)).toBe(1);
  });

  it('refuses a request id reused with another CSR', async () => {
    const device = await newDevice('mismatch');
    const requestId = rid('mismatch');
    const base = { deviceId: device.id, validityDays: 30, source: 'ENROLLED' as const, actor: admin, requestId };
    await issueCertificateForDevice({ ...base, csrPem: await csr('mismatch') }, options());
    await expect(issueCertificateForDevice({ ...base, csrPem: await csr('mismatch') }, options())).rejects.toMatchObject({
      code: 'REQUEST_MISMATCH',
    });
  });

  it.each([
    ['garbage', 'hello, I am not a CSR', /not a certificate signing request/i],
    ['an RSA 1024 key', fixture('rsa1024.csr'), /1024 bits; at least 2048/],
    ['a tampered CSR', fixture('tampered.csr'), /signature does not verify/],
    ['no subject', fixture('no-subject.csr'), /empty subject/],
    ['a private key', fixture('openssl-p256.key'), /private key/],
  ])('refuses %s with a message and writes nothing, sends nothing', async (_what, pem, message) => {
    const device = await newDevice(`bad-${Math.random().toString(36).slice(2, 8)}`);
    const before = {
      intents: await testDb.prisma.issuanceIntent.count(),
      certs: await testDb.prisma.certificate.count(),
      audit: await testDb.prisma.auditEvent.count(),
      cloudflare: cf.store.listClientCertificates('all').length,
      devices: await testDb.prisma.device.count(),
    };
    const attempt = issueCertificate(
      { device: { create: { name: 'never-made', group: 'g', commonName: 'x' } }, csrPem: pem, validityDays: 30, source: 'ENROLLED', actor: admin, requestId: rid('bad') },
      options(),
    );
    await expect(attempt).rejects.toBeInstanceOf(IssuanceError);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_CSR', field: 'csr', message: expect.stringMatching(message) });
    await expect(
      issueCertificateForDevice({ deviceId: device.id, csrPem: pem, validityDays: 30, source: 'ENROLLED', actor: admin, requestId: rid('bad') }, options()),
    ).rejects.toMatchObject({ code: 'BAD_CSR' });
    expect({
      intents: await testDb.prisma.issuanceIntent.count(),
      certs: await testDb.prisma.certificate.count(),
      audit: await testDb.prisma.auditEvent.count(),
      cloudflare: cf.store.listClientCertificates('all').length,
      devices: await testDb.prisma.device.count(),
    }).toEqual(before);
  });

  it('refuses a validity outside 1–5475 days and a MANAGER, writing nothing', async () => {
    const device = await newDevice('refusals');
    const base = { deviceId: device.id, csrPem: await csr('refusals'), source: 'ENROLLED' as const, requestId: rid('refuse') };
    await expect(issueCertificateForDevice({ ...base, validityDays: 0, actor: admin }, options())).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'validityDays' });
    await expect(issueCertificateForDevice({ ...base, validityDays: 5476, actor: admin }, options())).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const refused = issueCertificateForDevice({ ...base, validityDays: 30, actor: manager }, options());
    await expect(refused).rejects.toBeInstanceOf(AuthError);
    await expect(refused).rejects.toMatchObject({ status: 403 });
    expect(await testDb.prisma.issuanceIntent.findUnique({ where: { id: base.requestId } })).toBeNull();
    expect(await atCloudflare(base.csrPem)).toBe(0);
  });
});

describe('the crash window between Cloudflare and the database', () => {
  it('a database failure after Cloudflare answered is healed on retry: one certificate at Cloudflare and in the database', async () => {
    const device = await newDevice('crash-record');
    const pem = await csr('crash-record');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 90, source: 'ENROLLED' as const, actor: admin, requestId: rid('crash') };
    const failing = options({
      onStep: (step) => {
        if (step === 'recording') throw new Error('simulated: connection to the database lost');
      },
    });
    await expect(issueCertificateForDevice(input, failing)).rejects.toMatchObject({ code: 'RECORD_FAILED', retryable: true });
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(0);
    const pending = await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: input.requestId } });
    expect(pending.status).toBe('PENDING');
    expect(pending.cloudflareId).toBeTruthy();

    const retried = await issueCertificateForDevice(input, options());
    expect(retried.outcome).toBe('recovered');
    expect(retried.certificate.cloudflareId).toBe(pending.cloudflareId);
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);
    const audit = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'certificate.issue', targetId: retried.certificate.id } });
    expect(audit.details).toMatchObject({ recovered: true, requestId: input.requestId });
  });

  it('a crash before anything was written is found by its CSR and recorded by the heal job', async () => {
    const device = await newDevice('crash-early');
    const pem = await csr('crash-early');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 25, source: 'ENROLLED' as const, actor: admin, requestId: rid('early') };
    // Other certificates around it, so the search has pages to read.
    for (let i = 0; i < 60; i++) await cf.sdk.clientCertificates.create({ zone_id: cf.zoneId, csr: await csr(`noise-${i}`), validity_days: 10 });
    const crashing = options({
      onStep: (step) => {
        if (step === 'cloudflare-answered') throw new Error('simulated: process killed');
      },
    });
    await expect(issueCertificateForDevice(input, crashing)).rejects.toMatchObject({ code: 'RECORD_FAILED' });
    for (let i = 0; i < 60; i++) await cf.sdk.clientCertificates.create({ zone_id: cf.zoneId, csr: await csr(`noise-after-${i}`), validity_days: 10 });
    const pending = await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: input.requestId } });
    expect(pending).toMatchObject({ status: 'PENDING', cloudflareId: null });

    const summary = await healPendingIssuances(testDb.prisma, { idleMs: 0, cloudflare: options().cloudflare });
    expect(summary).toMatchObject({ recorded: 1, abandoned: 0 });
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);
    const again = await issueCertificateForDevice(input, options());
    expect(again.outcome).toBe('already-issued');
    expect(again.certificate.deviceId).toBe(device.id);
    expect(await atCloudflare(pem)).toBe(1);
  });

  it('the heal job reads back to its oldest cut intent, however many pages were issued since', async () => {
    // A zone of its own: the wave below would leave the other tests' searches nothing to conclude from.
    const zone = await startTestCloudflare({ rateLimit: null });
    try {
      const zoneConfig = { apiToken: zone.apiToken, zoneId: zone.zoneId, baseUrl: zone.apiBaseUrl };
      const cloudflare = () => pacedCloudflare({ config: zoneConfig, budget: rateBudgetFor(zoneConfig, { prisma: () => testDb.prisma }) });
      const signedFor = async (pem: string) => {
        const digest = await csrDigest(pem);
        let n = 0;
        for (const c of zone.store.listClientCertificates('all')) if ((await csrDigest(c.csr)) === digest) n++;
        return n;
      };
      const device = await newDevice('crash-deep');
      const pem = await csr('crash-deep');
      const noise = await csr('wave');
      const pageSize = 50;
      // Older certificates, so the cut one is on neither the first page nor the last ones.
      for (let i = 0; i < 2 * pageSize; i++) await zone.store.createClientCertificate({ csr: noise, validity_days: 10 });
      const input = { deviceId: device.id, csrPem: pem, validityDays: 25, source: 'ENROLLED' as const, actor: admin, requestId: rid('deep') };
      const crashing: IssuanceOptions = {
        prisma: testDb.prisma,
        cloudflare: cloudflare(),
        onStep: (step) => {
          if (step === 'cloudflare-answered') throw new Error('simulated: process killed');
        },
      };
      await expect(issueCertificateForDevice(input, crashing)).rejects.toMatchObject({ code: 'RECORD_FAILED' });
      // A renewal wave after the cut: more pages of other certificates than a fixed search depth read (the heal
      // 20 pages, a retry 8); made in the emulator's store to be quick, read by the heal through the API.
      for (let i = 0; i < 23 * pageSize; i++) await zone.store.createClientCertificate({ csr: noise, validity_days: 10 });

      const summary = await healPendingIssuances(testDb.prisma, { idleMs: 0, cloudflare: cloudflare() });
      expect(summary).toMatchObject({ recorded: 1, abandoned: 0, stillPending: 0 });
      expect(await signedFor(pem)).toBe(1);
      expect(await inDatabase(pem)).toBe(1);
      const again = await issueCertificateForDevice(input, { prisma: testDb.prisma, cloudflare: cloudflare() });
      expect(again.outcome).toBe('already-issued');
      expect(again.certificate.deviceId).toBe(device.id);
      expect(await signedFor(pem)).toBe(1);
    } finally {
      await zone.cleanup();
    }
  });

  it('an answer lost after Cloudflare signed (connection reset) is recovered on retry, not issued again', async () => {
    const device = await newDevice('lost-answer');
    const pem = await csr('lost-answer');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 25, source: 'ENROLLED' as const, actor: admin, requestId: rid('lost') };
    // The POST reaches Cloudflare and is signed; the reply never arrives.
    const losingFetch: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (init?.method === 'POST') throw new TypeError('fetch failed: socket hang up');
      return response;
    };
    const losing: IssuanceOptions = { prisma: testDb.prisma, cloudflare: pacedCloudflare({ config, budget: budget(), fetch: losingFetch }) };
    await expect(issueCertificateForDevice(input, losing)).rejects.toMatchObject({ code: 'UNCERTAIN', retryable: true });
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(0);

    const retried = await issueCertificateForDevice(input, options());
    expect(retried.outcome).toBe('recovered');
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);
  });

  it('a timeout before Cloudflare handled the request says so; the retry checks, then issues exactly one', async () => {
    const device = await newDevice('timeout');
    const pem = await csr('timeout');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 25, source: 'ENROLLED' as const, actor: admin, requestId: rid('timeout') };
    cf.configure({ faults: { latencyMs: 600, errorRate: 0, dropRate: 0 } });
    await expect(issueCertificateForDevice(input, options({ timeoutMs: 150 }))).rejects.toMatchObject({
      code: 'UNCERTAIN',
      message: expect.stringMatching(/timed out/i),
    });
    cf.configure({ faults: defaultConfig().faults });
    await new Promise((r) => setTimeout(r, 700));
    expect(await atCloudflare(pem)).toBe(0);
    const retried = await issueCertificateForDevice(input, options());
    expect(retried.outcome).toBe('issued');
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);
  });

  it('5xx answers say so, leave nothing behind, and a retry issues exactly one', async () => {
    const device = await newDevice('five-hundred');
    const pem = await csr('five-hundred');
    const input = { deviceId: device.id, csrPem: pem, validityDays: 25, source: 'ENROLLED' as const, actor: admin, requestId: rid('5xx') };
    cf.configure({ faults: { latencyMs: 0, errorRate: 1, dropRate: 0, seed: 7 } });
    await expect(issueCertificateForDevice(input, options())).rejects.toMatchObject({
      code: 'UNCERTAIN',
      message: expect.stringMatching(/server error|Cloudflare/),
    });
    expect(await atCloudflare(pem)).toBe(0);
    expect(await testDb.prisma.certificate.count({ where: { deviceId: device.id } })).toBe(0);
    cf.configure({ faults: defaultConfig().faults });
    const retried = await issueCertificateForDevice(input, options());
    expect(retried.outcome).toBe('issued');
    expect(await atCloudflare(pem)).toBe(1);
    expect(await inDatabase(pem)).toBe(1);
  });

  it('a rate-limit lock-out is a clear, definite refusal; the enrollment leaves no device and can be retried', async () => {
    const pem = await csr('rate-limited');
    const request = {
      device: { create: { name: 'rate-limited', group: 'g', commonName: 'rate-limited' } },
      csrPem: pem,
      validityDays: 25,
      source: 'ENROLLED' as const,
      actor: admin,
      requestId: enrollmentRequestId(`rl-${Math.random().toString(36).slice(2)}`),
    };
    cf.configure({ rateLimit: { limit: 1, windowMs: 60_000, lockoutMs: 60_000 } });
    await cf.sdk.clientCertificates.list({ zone_id: cf.zoneId }); // spends the one request
    const refused = issueCertificate(request, options());
    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED', cloudflareCode: 'RATE_LIMITED', retryAfter: 60, retryable: true });
    await expect(refused).rejects.toThrow(/rate limit.*Try again in 60 s/);
    expect(await testDb.prisma.device.findUnique({ where: { name: 'rate-limited' } })).toBeNull();
    expect(await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: request.requestId } })).toMatchObject({ status: 'FAILED' });

    // The 429 was recorded as a lock-out every process honours: held back without asking Cloudflare.
    const requestsBefore = cf.stats().requests;
    await expect(issueCertificate(request, options())).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(cf.stats().requests).toBe(requestsBefore);

    cf.configure({ rateLimit: null });
    await budget().reset(); // the lock-out is over (here: lifted by hand rather than waiting a minute)
    const retried = await issueCertificate(request, options());
    expect(retried.outcome).toBe('issued');
    expect(retried.device).toMatchObject({ name: 'rate-limited' });
    expect(await testDb.prisma.device.findUniqueOrThrow({ where: { name: 'rate-limited' } })).toMatchObject({ status: 'ACTIVE' });
    expect(await atCloudflare(pem)).toBe(1);
  });

  it('the heal job abandons an intent Cloudflare never signed, so it can be retried', async () => {
    const pem = await csr('never-signed');
    const request = {
      device: { create: { name: 'never-signed', group: 'g', commonName: 'never-signed' } },
      csrPem: pem,
      validityDays: 25,
      source: 'ENROLLED' as const,
      actor: system,
      requestId: enrollmentRequestId(`ns-${Math.random().toString(36).slice(2)}`),
    };
    cf.configure({ faults: { latencyMs: 0, errorRate: 0, dropRate: 1 } });
    await expect(issueCertificate(request, options())).rejects.toMatchObject({ code: 'UNCERTAIN' });
    cf.configure({ faults: defaultConfig().faults });
    expect(await testDb.prisma.device.findUniqueOrThrow({ where: { name: 'never-signed' } })).toMatchObject({ status: 'INACTIVE' });

    const later = () => new Date(Date.now() + 60 * 60_000);
    const summary = await healPendingIssuances(testDb.prisma, { idleMs: 0, cloudflare: options().cloudflare, now: later });
    expect(summary.abandoned).toBeGreaterThanOrEqual(1);
    expect(await testDb.prisma.issuanceIntent.findUniqueOrThrow({ where: { id: request.requestId } })).toMatchObject({ status: 'FAILED' });
    expect(await testDb.prisma.device.findUnique({ where: { name: 'never-signed' } })).toBeNull();
    expect(await atCloudflare(pem)).toBe(0);
  });
});

describe('the heal job and intents Cloudflare never signed', () => {
  it('reads the zone once for a cut intent it finds never signed, then again only after an attempt or when it may abandon it', async () => {
    // A database and a zone of their own: the heal settles every pending intent, and the test counts its requests.
    const own = await createTestDatabase();
    const zone = await startTestCloudflare({ rateLimit: null });
    try {
      const zoneConfig = { apiToken: zone.apiToken, zoneId: zone.zoneId, baseUrl: zone.apiBaseUrl };
      const t0 = Date.now() - 3 * 60_000;
      const heal = (minutes: number) =>
        healPendingIssuances(own.prisma, {
          cloudflare: pacedCloudflare({ config: zoneConfig, budget: rateBudgetFor(zoneConfig, { prisma: () => own.prisma }) }),
          now: () => new Date(t0 + minutes * 60_000),
        });
      const requests = () => zone.stats().requests;
      for (let i = 0; i < 60; i++) await zone.store.createClientCertificate({ csr: await csr(`around-${i}`), validity_days: 10 });
      // Two intents written, Cloudflare not (yet) asked: the process died in between.
      const cut = async (name: string) => {
        const pem = await csr(name);
        const device = await own.prisma.device.create({ data: { name, group: 'test', commonName: name } });
        const at = new Date(t0);
        const intent = await own.prisma.issuanceIntent.create({
          data: { id: rid(name), deviceId: device.id, csrSha256: await csrDigest(pem), csr: pem, validityDays: 25, createdAt: at, updatedAt: at },
        });
        return { pem, id: intent.id };
      };
      const never = await cut('never-signed-at-all');
      const late = await cut('signed-late');
      const intent = (id: string) => own.prisma.issuanceIntent.findUniqueOrThrow({ where: { id } });

      let before = requests();
      expect(await heal(3)).toMatchObject({ stillPending: 2, knownUnsigned: 0, recorded: 0, abandoned: 0 });
      expect(requests()).toBeGreaterThan(before);
      // Remembered without touching `updatedAt`: the intents stay idle for the next run.
      expect(await intent(never.id)).toMatchObject({ neverSignedAt: new Date(t0 + 3 * 60_000), updatedAt: new Date(t0) });

      before = requests();
      expect(await heal(4)).toMatchObject({ stillPending: 2, knownUnsigned: 2 });
      expect(await heal(5)).toMatchObject({ stillPending: 2, knownUnsigned: 2 });
      expect(requests()).toBe(before);

      // An attempt touches one (a retry): the memory of that one no longer holds, so the zone is read for it.
      await own.prisma.issuanceIntent.update({ where: { id: late.id }, data: { actorEmail: 'retry', updatedAt: new Date(t0 + 5.5 * 60_000) } });
      expect(await heal(8)).toMatchObject({ stillPending: 2, knownUnsigned: 1 });
      expect(requests()).toBeGreaterThan(before);
      expect(await intent(late.id)).toMatchObject({ neverSignedAt: new Date(t0 + 8 * 60_000) });

      // An attempt still in flight somewhere gets it signed after all: found by the read before abandoning
      // (not before: until then the memory stands).
      await zone.store.createClientCertificate({ csr: late.pem, validity_days: 25 });
      before = requests();
      expect(await heal(9)).toMatchObject({ stillPending: 2, knownUnsigned: 2 });
      expect(requests()).toBe(before);
      expect(await heal(11)).toMatchObject({ recorded: 1, abandoned: 1, stillPending: 0, knownUnsigned: 0 });
      expect(requests()).toBeGreaterThan(before);
      expect(await intent(late.id)).toMatchObject({ status: 'ISSUED' });
      expect(await own.prisma.certificate.count({ where: { csr: late.pem } })).toBe(1);
      expect(await intent(never.id)).toMatchObject({ status: 'FAILED' });
    } finally {
      await zone.cleanup();
      await own.stop();
    }
  });
});

describe('csrPemDigest', () => {
  it('equals csrDigest for PEM with CRLF line endings, as Cloudflare echoes it', async () => {
    const pem = await csr('digest');
    expect(await csrPemDigest(pem.replace(/\n/g, '\r\n'))).toBe(await csrDigest(pem));
    expect(await csrPemDigest('nothing here')).toBeUndefined();
  });
});

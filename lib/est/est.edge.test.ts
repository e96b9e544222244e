// EST end to end: devices do real TLS handshakes with the local Cloudflare's edge, the Worker runs in workerd,
// certfleet's EST job issues through the local Cloudflare API into a real database (PGlite or a server).

import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import type { SessionUser } from '@/lib/auth/errors';
import type { CloudflareConfig } from '@/lib/cloudflare';
import { type CloudflareGateway, createCloudflareGateway, pacedCloudflare, rateBudgetFor } from '@/lib/cloudflare';
import { connectTarget, EDGE_CA_DOWNLOAD_NAME, readEnrollmentConfig } from '@/lib/data/enrollment-config';
import { autoRevokeSuperseded } from '@/lib/data/renewal';
import { deviceFileNames } from '@/components/enrollment/connect-snippets';
import { postReading, utcSeconds } from '@/lib/devices/simulator';
import { generateKeyAndCsr, parseCertificate } from '@/lib/pki';
import { certificatesFromPkcs7 } from '@/lib/pki/pkcs7';
import { pullReadings } from '@/lib/readings/pull';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { certificatesOf, estRequest, estUntilAnswered, type EstClientOptions } from './client';
import { BOOTSTRAP_FILES, buildEstCommands, EST_TOKEN_VARIABLE } from './connect-commands';
import { ensureCertificate, certFile, inRenewalWindow, renewAfterFile, windowOpensFromRefusal } from './device';
import { syncEst, type EstSyncOptions } from './sync';
import { updateEstPolicy } from './policy';
import { createEnrollmentTokens } from './tokens';
import { EstPolicySchema } from '@/lib/validation/est-policy';

const run = promisify(execFile);
const TOKEN = 'est-export-token';
const SHIELD = 'sensors.est.test';
const REVOCATION_DELAY_MS = 300;

let dataDir: string;
let lc: LocalCloudflare;
let cf: CloudflareGateway;
let testDb: TestDatabase;
let config: CloudflareConfig;
let edgeUrl: string;
let workerUrl: string;
let admin: SessionUser;
let bootstrap: { certPem: string; keyPem: string };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-est-'));
  [lc, testDb] = await Promise.all([
    startLocalCloudflare({
      dataDir,
      apiPort: 0,
      edgePort: 0,
      rateLimit: null,
      revocationDelayMs: REVOCATION_DELAY_MS,
      edge: { exportToken: TOKEN, workerOutput: 'ignore', estRetryAfterSeconds: 1 },
    }),
    createTestDatabase(),
  ]);
  config = { apiToken: lc.apiToken, zoneId: lc.zoneId, baseUrl: lc.apiBaseUrl };
  // The test's own calls go through the one door too, drawing from the same budget as the job's.
  cf = createCloudflareGateway(config, { budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) });
  await cf.updateHostnameAssociations([SHIELD]);
  edgeUrl = (lc.edge as { url: string }).url;
  workerUrl = String((lc.edge as unknown as { worker: { url: string } }).worker.url);
  admin = { ...(await testDb.prisma.user.create({ data: { email: 'admin@est.test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } })), role: 'ADMIN' };
  // Seed 001's bootstrap certificate: one zone certificate shipped in every bundle, known to nobody as a device.
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'ios-bootstrap.devices.upinatoms.com' } });
  const cert = await cf.issueClientCertificate({ csr: csrPem, validityDays: 3650 });
  bootstrap = { certPem: cert.certificatePem, keyPem: privateKeyPem };
});

afterAll(async () => {
  await Promise.all([lc?.stop(), testDb?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const client = (creds: { certPem: string; keyPem: string } | undefined, host = SHIELD): EstClientOptions => ({
  baseUrl: edgeUrl,
  caPem: lc.store.publicCaCertPem(),
  headers: { host },
  ...creds,
});

/** The paced client on this test's own database (its rate budget row lives there). */
const paced = () => pacedCloudflare({ config, budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) });

const sync = (extra: Partial<EstSyncOptions> = {}) =>
  syncEst(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN, issuance: { cloudflare: paced() }, ...extra });

async function newDevice(name: string) {
  return testDb.prisma.device.create({ data: { name, group: 'est', commonName: `${name}.devices.test`, status: 'INACTIVE' } });
}

async function tokenFor(deviceId: string): Promise<string> {
  const [made] = await createEnrollmentTokens(testDb.prisma, admin, { deviceIds: [deviceId], validHours: 24 });
  return made!.token;
}

async function csrFor(cn: string, extra: { O?: string } = {}) {
  return generateKeyAndCsr({ algorithm: 'EC', subject: { CN: cn, ...extra } });
}

/** Certificates at the local Cloudflare issued from this CSR. */
function issuedAtCloudflare(csrPem: string): number {
  const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
  return lc.store.listClientCertificates('all').filter((c) => body(c.csr) === body(csrPem)).length;
}

async function enroll(name: string) {
  const device = await newDevice(name);
  const token = await tokenFor(device.id);
  await sync(); // pushes the token to the Worker
  const { csrPem, privateKeyPem } = await csrFor(`${name}.devices.test`);
  const send = () => estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic: { user: name, password: token } });
  const res = await estUntilAnswered(send, { onPending: async () => void (await sync()) });
  const [certPem] = certificatesOf(res);
  return { device, token, csrPem, keyPem: privateKeyPem, certPem: certPem! };
}

describe('EST through the local edge', () => {
  it('cacerts: the zone CA as base64 PKCS#7 certs-only, which openssl reads', async () => {
    const res = await estRequest(client(bootstrap), 'cacerts');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pkcs7-mime; smime-type=certs-only');
    expect(res.headers['content-transfer-encoding']).toBe('base64');
    const [ca] = certificatesFromPkcs7(res.body);
    expect((await parseCertificate(ca!)).fingerprintSha256).toBe((await parseCertificate(lc.store.zoneCaCertPem())).fingerprintSha256);

    const file = path.join(dataDir, 'cacerts.p7');
    await writeFile(file, res.body);
    const { stdout } = await run('openssl', ['base64', '-d', '-in', file, '-out', `${file}.der`]).then(() =>
      run('openssl', ['pkcs7', '-inform', 'DER', '-in', `${file}.der`, '-print_certs', '-noout']),
    );
    expect(stdout).toMatch(/subject=/);
  });

  it('simpleenroll: bootstrap certificate + token → 202 with Retry-After, the job issues, the same request → 200', async () => {
    const device = await newDevice('est-sensor-01');
    const token = await tokenFor(device.id);
    expect((await sync()).tokensPushed).toBe(1);
    const { csrPem, privateKeyPem } = await csrFor('est-sensor-01.devices.test');
    const send = () => estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic: { user: 'est-sensor-01', password: token } });

    const first = await send();
    expect(first.status, first.body).toBe(202);
    expect(first.headers['retry-after']).toBe('1');
    const again = await send(); // a device retrying before certfleet issued: still the one request
    expect(again.status).toBe(202);
    expect(again.body).toBe(first.body);

    const s = await sync();
    expect(s).toMatchObject({ seen: 1, issued: 1, rejected: 0, deferred: 0 });
    const done = await send();
    const [certPem] = certificatesOf(done);
    const cert = await parseCertificate(certPem!);
    expect(cert.subject.CN).toBe('est-sensor-01.devices.test');

    const row = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: cert.fingerprintSha256 } });
    expect(row).toMatchObject({ deviceId: device.id, source: 'ENROLLED', status: 'ACTIVE' });
    expect((await testDb.prisma.device.findUniqueOrThrow({ where: { id: device.id } })).status).toBe('ACTIVE');
    const audit = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'est.issue', targetId: row.id } });
    expect(audit.reason).toBe('issued by EST for device est-sensor-01');
    expect(await testDb.prisma.estRequest.findFirstOrThrow({ where: { certificateId: row.id } })).toMatchObject({ status: 'ISSUED', kind: 'ENROLL' });
    expect(issuedAtCloudflare(csrPem)).toBe(1);

    // Another run changes nothing, and the device posts readings with its new certificate.
    expect((await sync()).seen).toBe(0);
    const post = await postReading({ url: `${edgeUrl}/temps`, caPem: lc.store.publicCaCertPem(), device: { certPem: certPem!, keyPem: privateKeyPem }, headers: { host: SHIELD }, reading: { temperature: '36.6', time: utcSeconds() } });
    expect(post.status, post.body).toBe(201);

    // The token was one-time: a new CSR with it is refused, and nothing is stored.
    const other = await csrFor('est-sensor-01.devices.test');
    const reused = await estRequest(client(bootstrap), 'simpleenroll', { csrPem: other.csrPem, basic: { user: 'est-sensor-01', password: token } });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatch(/already been used/);
    expect((await sync()).seen).toBe(0);
  });

  it('refuses bad simpleenroll requests with a clear 4xx and stores nothing', async () => {
    const device = await newDevice('est-sensor-bad');
    const token = await tokenFor(device.id);
    const expiring = await newDevice('est-sensor-expired');
    const expiredToken = await tokenFor(expiring.id);
    await testDb.prisma.enrollmentToken.updateMany({ where: { deviceId: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await sync();
    const { csrPem } = await csrFor('est-sensor-bad.devices.test');
    const basic = { user: 'est-sensor-bad', password: token };

    const noToken = await estRequest(client(bootstrap), 'simpleenroll', { csrPem });
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toMatch(/^Basic/);
    const wrongUser = await estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic: { user: 'someone-else', password: token } });
    expect(wrongUser.status).toBe(401);
    const expired = await estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic: { user: 'est-sensor-expired', password: expiredToken } });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatch(/expired/);
    const json = await estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic, contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body).toMatch(/application\/pkcs10/);
    const garbage = await estRequest(client(bootstrap), 'simpleenroll', { body: 'bm90IGEgQ1NS', basic });
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/not a PKCS#10/);
    const tampered = csrPem.replace(/(\n[A-Za-z0-9+/]{10})[A-Za-z0-9+/]/, (_, a: string) => `${a}${a.endsWith('A') ? 'B' : 'A'}`);
    const badSig = await estRequest(client(bootstrap), 'simpleenroll', { csrPem: tampered, basic });
    expect(badSig.status).toBe(400);
    // No client certificate: the mTLS rule blocks it at the edge; off the rule's hostname the Worker refuses it.
    expect((await estRequest(client(undefined), 'simpleenroll', { csrPem, basic })).status).toBe(403);
    const bare = await estRequest(client(undefined, 'localhost'), 'simpleenroll', { csrPem, basic });
    expect(bare.status).toBe(403);
    expect(bare.body).toMatch(/client certificate is required/);

    // None of those stored a request or spent the token: the good request is the first the job sees.
    expect((await sync()).seen).toBe(0);
    const ok = await estRequest(client(bootstrap), 'simpleenroll', { csrPem, basic });
    expect(ok.status, ok.body).toBe(202);
    expect((await sync()).issued).toBe(1);
  });

  it('simplereenroll: the device renews with its own certificate; the old one is revoked once the new one posts', async () => {
    const first = await enroll('est-sensor-02');
    const own = { certPem: first.certPem, keyPem: first.keyPem };

    const renamed = await csrFor('somebody-else.devices.test');
    const moved = await estRequest(client(own), 'simplereenroll', { csrPem: renamed.csrPem });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatch(/must keep the certificate's subject/);

    const next = await csrFor('est-sensor-02.devices.test');
    const send = () => estRequest(client(own), 'simplereenroll', { csrPem: next.csrPem });
    const pending = await send();
    expect(pending.status, pending.body).toBe(202);
    // A second, different CSR while one is pending is refused (one renewal at a time per certificate).
    const second = await estRequest(client(own), 'simplereenroll', { csrPem: (await csrFor('est-sensor-02.devices.test')).csrPem });
    expect(second.status).toBe(409);

    expect((await sync()).issued).toBe(1);
    const [renewedPem] = certificatesOf(await send());
    const renewed = await parseCertificate(renewedPem!);
    const oldRow = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: (await parseCertificate(first.certPem)).fingerprintSha256 } });
    const newRow = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: renewed.fingerprintSha256 } });
    expect(newRow).toMatchObject({ deviceId: first.device.id, source: 'RENEWAL' });
    expect(oldRow.supersededById).toBe(newRow.id);

    // Renewing again with the superseded certificate is refused by policy.
    const staleCsr = (await csrFor('est-sensor-02.devices.test')).csrPem;
    const sendStale = () => estRequest(client(own), 'simplereenroll', { csrPem: staleCsr });
    expect((await sendStale()).status).toBe(202);
    expect((await sync())).toMatchObject({ issued: 0, rejected: 1 });
    const refused = await sendStale();
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/already been renewed/);
    expect(issuedAtCloudflare(staleCsr)).toBe(0);

    // The device switches: posts with the new certificate, certfleet sees it, and revokes the old one.
    const mine = { certPem: renewedPem!, keyPem: next.privateKeyPem };
    const post = await postReading({ url: `${edgeUrl}/temps`, caPem: lc.store.publicCaCertPem(), device: mine, headers: { host: SHIELD }, reading: { temperature: '36.7', time: utcSeconds() } });
    expect(post.status).toBe(201);
    await pullReadings(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN });
    const revoked = await autoRevokeSuperseded(testDb.prisma, { cloudflare: paced() });
    expect(revoked.revoked).toBe(1);
    await new Promise((r) => setTimeout(r, REVOCATION_DELAY_MS + 200));
    const blocked = await estRequest(client(own), 'simplereenroll', { csrPem: next.csrPem });
    expect(blocked.status).toBe(403);
  });

  it('refuses requests outside the group policy (key, early renewal, rate) with the reason, audits them and raises an alert', async () => {
    const group = 'est-strict';
    const device = await testDb.prisma.device.create({ data: { name: 'est-strict-01', group, commonName: 'est-strict-01.devices.test', status: 'INACTIVE' } });
    const rule = await testDb.prisma.alertRule.create({ data: { name: 'EST refusals', condition: 'EST_REFUSED', group, params: {}, createdByEmail: admin.email } });
    await updateEstPolicy(
      testDb.prisma,
      admin,
      EstPolicySchema.parse({ group, windowMode: 'PERCENT', windowPercent: 30, windowDays: 30, refuseEarlyRenewal: true, keyTypes: ['P-384'], minRsaBits: 2048, validityDays: 30, tokenHours: 24, tokenUses: 3, maxRequestsPerDay: 3 }),
    );
    // The token takes the policy's use count: the refused request spends one, the next still enrolls.
    const [made] = await createEnrollmentTokens(testDb.prisma, admin, { deviceIds: [device.id] });
    expect(made!.uses).toBe(3);
    await sync();
    const basic = { user: device.name, password: made!.token };
    const p256 = (await csrFor('est-strict-01.devices.test')).csrPem;
    const sendP256 = () => estRequest(client(bootstrap), 'simpleenroll', { csrPem: p256, basic });
    expect((await sendP256()).status).toBe(202);
    expect(await sync()).toMatchObject({ issued: 0, rejected: 1 });
    const refused = await sendP256();
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/group est-strict's EST policy accepts P-384; this CSR has an EC P-256 key/);
    expect(issuedAtCloudflare(p256)).toBe(0);
    const reject = await testDb.prisma.auditEvent.findFirstOrThrow({ where: { action: 'est.reject', targetId: device.id } });
    expect(reject.details).toMatchObject({ policyRule: 'key', kind: 'enroll' });
    const alerts = () => testDb.prisma.alert.findMany({ where: { ruleId: rule.id }, orderBy: { raisedAt: 'asc' } });
    expect((await alerts()).map((a) => [a.condition, a.subjectId, a.summary])).toEqual([
      ['EST_REFUSED', device.id, "EST enrollment of est-strict-01 refused: group est-strict's EST policy accepts P-384; this CSR has an EC P-256 key"],
    ]);

    // A P-384 key is accepted, and the certificate has the policy's validity.
    const good = await generateKeyAndCsr({ algorithm: 'EC', curve: 'P-384', subject: { CN: 'est-strict-01.devices.test' } });
    const enrolled = await estUntilAnswered(() => estRequest(client(bootstrap), 'simpleenroll', { csrPem: good.csrPem, basic }), { onPending: async () => void (await sync()) });
    const [certPem] = certificatesOf(enrolled);
    const row = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: (await parseCertificate(certPem!)).fingerprintSha256 } });
    expect(row).toMatchObject({ deviceId: device.id, validityDays: 30, keyType: 'EC', keySize: 384 });

    // Renewing a fresh certificate: the window (the last 30 % of 30 days) opens in 21 days.
    const own = { certPem: certPem!, keyPem: good.privateKeyPem };
    const next = await generateKeyAndCsr({ algorithm: 'EC', curve: 'P-384', subject: { CN: 'est-strict-01.devices.test' } });
    const renew = () => estRequest(client(own), 'simplereenroll', { csrPem: next.csrPem });
    expect((await renew()).status).toBe(202);
    expect(await sync()).toMatchObject({ issued: 0, rejected: 1 });
    const early = await renew();
    expect(early.status).toBe(403);
    expect(early.body).toMatch(/renews in the last 30 % of its lifetime: this certificate's window opens on /);

    // Early renewal allowed again, but three requests today already: the rate per device refuses the fourth.
    await updateEstPolicy(
      testDb.prisma,
      admin,
      EstPolicySchema.parse({ group, windowMode: 'PERCENT', windowPercent: 30, windowDays: 30, refuseEarlyRenewal: false, keyTypes: ['P-384'], minRsaBits: 2048, validityDays: 30, tokenHours: 24, tokenUses: 3, maxRequestsPerDay: 3 }),
    );
    const again = (await generateKeyAndCsr({ algorithm: 'EC', curve: 'P-384', subject: { CN: 'est-strict-01.devices.test' } })).csrPem;
    const renewAgain = () => estRequest(client(own), 'simplereenroll', { csrPem: again });
    expect((await renewAgain()).status).toBe(202);
    expect(await sync()).toMatchObject({ issued: 0, rejected: 1 });
    const limited = await renewAgain();
    expect(limited.status).toBe(403);
    expect(limited.body).toMatch(/allows 3 requests per device per day; this device made 3 in the last 24 h/);

    const rejects = await testDb.prisma.auditEvent.findMany({ where: { action: 'est.reject', targetId: device.id }, orderBy: { at: 'asc' } });
    expect(rejects.map((r) => (r.details as { policyRule?: string }).policyRule)).toEqual(['key', 'window', 'rate']);
    expect((await alerts()).map((a) => (a.details as { policyRule: string }).policyRule)).toEqual(['key', 'window', 'rate']);
    expect(await testDb.prisma.certificate.count({ where: { deviceId: device.id } })).toBe(1);
  });

  it('exactly one certificate per request when certfleet crashes while recording it', async () => {
    const first = await enroll('est-sensor-03');
    const own = { certPem: first.certPem, keyPem: first.keyPem };
    const next = await csrFor('est-sensor-03.devices.test');
    const send = () => estRequest(client(own), 'simplereenroll', { csrPem: next.csrPem });
    expect((await send()).status).toBe(202);

    const crashed = await sync({
      issuance: {
        cloudflare: paced(),
        onStep: (step) => {
          if (step === 'recording') throw new Error('simulated crash while recording');
        },
      },
    });
    expect(crashed).toMatchObject({ issued: 0, deferred: 1 });
    expect(issuedAtCloudflare(next.csrPem)).toBe(1); // Cloudflare signed; certfleet has not recorded it
    expect((await send()).status).toBe(202);

    const healed = await sync();
    expect(healed).toMatchObject({ issued: 1, deferred: 0 });
    const [pem] = certificatesOf(await send());
    expect(issuedAtCloudflare(next.csrPem)).toBe(1);
    const fp = (await parseCertificate(pem!)).fingerprintSha256;
    expect(await testDb.prisma.certificate.count({ where: { fingerprintSha256: fp } })).toBe(1);
    expect(await testDb.prisma.auditEvent.count({ where: { action: 'est.issue', targetLabel: 'est-sensor-03' } })).toBe(2); // enroll + renew
  });

  it('with only curl and openssl: enroll, then renew with the new certificate', async () => {
    const device = await newDevice('est-curl-01');
    const token = await tokenFor(device.id);
    await sync();
    const dir = path.join(dataDir, 'curl');
    await mkdir(dir, { recursive: true });
    const f = (name: string) => path.join(dir, name);
    await writeFile(f('bootstrap.pem'), bootstrap.certPem);
    await writeFile(f('bootstrap-key.pem'), bootstrap.keyPem);
    await writeFile(f('edge-ca.pem'), lc.store.publicCaCertPem());
    const url = (op: string) => `${edgeUrl}/.well-known/est/${op}`;
    const curl = async (args: string[]) => {
      const { stdout } = await run('curl', ['-sS', '--cacert', f('edge-ca.pem'), '-H', `Host: ${SHIELD}`, '-o', f('answer'), '-w', '%{http_code}', ...args]);
      return Number(stdout);
    };
    // The device's key and CSR; EST wants the DER in base64.
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('device-key.pem'), '-subj', '/CN=est-curl-01.devices.test', '-outform', 'DER', '-out', f('device.csr.der')]);
    await run('openssl', ['base64', '-in', f('device.csr.der'), '-out', f('device.csr.b64')]);
    const enroll = ['--cert', f('bootstrap.pem'), '--key', f('bootstrap-key.pem'), '-u', `est-curl-01:${token}`, '-H', 'Content-Type: application/pkcs10', '--data-binary', `@${f('device.csr.b64')}`, url('simpleenroll')];
    expect(await curl(enroll)).toBe(202);
    await sync();
    expect(await curl(enroll)).toBe(200);
    await run('openssl', ['base64', '-d', '-in', f('answer'), '-out', f('answer.p7')]);
    await run('openssl', ['pkcs7', '-inform', 'DER', '-in', f('answer.p7'), '-print_certs', '-out', f('device.pem')]);
    const { stdout: subject } = await run('openssl', ['x509', '-in', f('device.pem'), '-noout', '-subject']);
    expect(subject).toMatch(/CN\s*=\s*est-curl-01\.devices\.test/);

    // Renewal: a new key, the same subject, authenticated by the certificate just received.
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('next-key.pem'), '-subj', '/CN=est-curl-01.devices.test', '-outform', 'DER', '-out', f('next.csr.der')]);
    await run('openssl', ['base64', '-in', f('next.csr.der'), '-out', f('next.csr.b64')]);
    const renew = ['--cert', f('device.pem'), '--key', f('device-key.pem'), '-H', 'Content-Type: application/pkcs10', '--data-binary', `@${f('next.csr.b64')}`, url('simplereenroll')];
    expect(await curl(renew)).toBe(202);
    await sync();
    expect(await curl(renew)).toBe(200);
    await run('openssl', ['base64', '-d', '-in', f('answer'), '-out', f('next.p7')]);
    await run('openssl', ['pkcs7', '-inform', 'DER', '-in', f('next.p7'), '-print_certs', '-out', f('next.pem')]);
    const next = await parseCertificate(await readFile(f('next.pem'), 'utf8'));
    const row = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: next.fingerprintSha256 } });
    expect(row).toMatchObject({ deviceId: device.id, source: 'RENEWAL' });
  });

  it("the connect panel's EST commands, run as shown with bash, curl and openssl: 202, then 200 and certificates that verify", async () => {
    // The panel's edge as `npm start` configures it, on a hostname curl resolves to loopback by itself (RFC 6761).
    const host = 'est-connect.localhost';
    await cf.updateHostnameAssociations([SHIELD, host]);
    const connect = connectTarget(
      readEnrollmentConfig({ CERTFLEET_EDGE_URL: `https://${host}:${new URL(edgeUrl).port}`, CERTFLEET_EDGE_CA_FILE: lc.caFiles.public }),
    );
    const name = 'est-panel-01';
    const device = await newDevice(name);
    const token = await tokenFor(device.id);
    await sync();
    const files = deviceFileNames(name);
    const commands = buildEstCommands({ connect, deviceName: name, commonName: device.commonName, key: { type: 'EC', size: 256 }, files });
    expect(commands.origin).toBe(`https://${host}:${new URL(edgeUrl).port}`);

    const dir = path.join(dataDir, 'panel');
    await mkdir(dir, { recursive: true });
    const f = (file: string) => path.join(dir, file);
    await writeFile(f(BOOTSTRAP_FILES.cert), bootstrap.certPem);
    await writeFile(f(BOOTSTRAP_FILES.key), bootstrap.keyPem);
    await writeFile(f(EDGE_CA_DOWNLOAD_NAME), lc.store.publicCaCertPem());

    /** Runs one block as the copy button hands it over; certfleet's job runs each time the device is told 202. */
    const runBlock = async (block: string[]) => {
      const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', block.join('\n')], {
        cwd: dir,
        env: { ...process.env, [EST_TOKEN_VARIABLE]: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const statuses: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^simple(?:re)?enroll: HTTP (\d+)$/.exec(line);
        if (!m) continue;
        statuses.push(m[1]!);
        if (m[1] === '202') await sync();
      }
      expect(await exited, stderr).toBe(0);
      return statuses.join(' ');
    };
    const verify = async (certFile: string) => (await run('openssl', ['verify', '-CAfile', f(files.chain), f(certFile)])).stdout;

    await runBlock(commands.cacerts);
    expect((await parseCertificate(await readFile(f(files.chain), 'utf8'))).fingerprintSha256).toBe((await parseCertificate(lc.store.zoneCaCertPem())).fingerprintSha256);

    expect(await runBlock(commands.enroll)).toMatch(/^(202 )+200$/);
    expect(await verify(files.cert)).toMatch(/: OK/);
    const enrolled = await parseCertificate(await readFile(f(files.cert), 'utf8'));
    expect(enrolled.subject.CN).toBe(device.commonName);
    const first = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: enrolled.fingerprintSha256 } });
    expect(first).toMatchObject({ deviceId: device.id, source: 'ENROLLED' });

    expect(await runBlock(commands.renew)).toMatch(/^(202 )+200$/);
    expect(await verify(files.cert)).toMatch(/: OK/);
    const renewed = await parseCertificate(await readFile(f(files.cert), 'utf8'));
    expect(renewed.fingerprintSha256).not.toBe(enrolled.fingerprintSha256);
    expect(renewed.subject).toEqual(enrolled.subject);
    const second = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: renewed.fingerprintSha256 } });
    expect(second).toMatchObject({ deviceId: device.id, source: 'RENEWAL' });
    expect((await testDb.prisma.certificate.findUniqueOrThrow({ where: { id: first.id } })).supersededById).toBe(second.id);

    // The renewed certificate and the key moved into place belong together: the device posts readings with them.
    const mine = { certPem: await readFile(f(files.cert), 'utf8'), keyPem: await readFile(f(files.key), 'utf8') };
    const post = await postReading({ url: `${edgeUrl}/temps`, caPem: lc.store.publicCaCertPem(), device: mine, headers: { host }, reading: { temperature: '36.8', time: utcSeconds() } });
    expect(post.status, post.body).toBe(201);
  });

  it('a device that guesses its window too early learns the real one from the refusal and waits for it', async () => {
    const group = 'est-late-window';
    const device = await testDb.prisma.device.create({ data: { name: 'est-late-01', group, commonName: 'est-late-01.devices.test', status: 'INACTIVE' } });
    // The group renews only in the last 10 % of a 30-day lifetime, and refuses earlier requests.
    await updateEstPolicy(
      testDb.prisma,
      admin,
      EstPolicySchema.parse({ group, windowMode: 'PERCENT', windowPercent: 10, windowDays: 30, refuseEarlyRenewal: true, keyTypes: ['P-256'], minRsaBits: 2048, validityDays: 30, tokenHours: 24, tokenUses: 1, maxRequestsPerDay: 10 }),
    );
    const [made] = await createEnrollmentTokens(testDb.prisma, admin, { deviceIds: [device.id] });
    const dir = path.join(dataDir, 'late');
    await mkdir(dir, { recursive: true });
    const base = { baseUrl: edgeUrl, dir, caPem: lc.store.publicCaCertPem(), headers: { host: SHIELD } };
    // certfleet's job runs while the device waits out its 202s.
    let stop = false;
    const job = (async () => {
      while (!stop) {
        await sync();
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      expect(await ensureCertificate({ ...base, bootstrap, deviceName: device.name, token: made!.token })).toBe('enrolled');
      const enrolled = await parseCertificate(await readFile(certFile(dir), 'utf8'));
      // The device thinks it is in its window (it guesses 100 % here): certfleet refuses and names the moment.
      expect(await ensureCertificate({ ...base, renewFraction: 1 })).toBe('deferred');
      const told = new Date((await readFile(renewAfterFile(dir), 'utf8')).trim());
      const opens = enrolled.notAfter.getTime() - (enrolled.notAfter.getTime() - enrolled.notBefore.getTime()) * 0.1;
      expect(Math.abs(told.getTime() - opens)).toBeLessThan(60_000); // the refusal names the minute
      const refusals = () => testDb.prisma.auditEvent.count({ where: { action: 'est.reject', targetId: device.id } });
      expect(await refusals()).toBe(1);
      // Asked again before that moment, the device does not ask certfleet at all.
      expect(await ensureCertificate({ ...base, renewFraction: 1 })).toBe('current');
      expect(await refusals()).toBe(1);
      expect(await testDb.prisma.certificate.count({ where: { deviceId: device.id } })).toBe(1);
      expect(windowOpensFromRefusal('403 no window here')).toBeUndefined();
    } finally {
      stop = true;
      await job;
    }
  });

  it('the simulator (npm run device -- --est) enrolls and renews with nothing but its files', async () => {
    const device = await newDevice('est-sim-01');
    const token = await tokenFor(device.id);
    const dir = path.join(dataDir, 'sim');
    await mkdir(dir, { recursive: true });
    // certfleet's job, running on its own schedule while the device waits out its 202s.
    let stop = false;
    const job = (async () => {
      while (!stop) {
        await sync();
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      const base = { baseUrl: edgeUrl, dir, caPem: lc.store.publicCaCertPem(), headers: { host: SHIELD } };
      expect(await ensureCertificate({ ...base, bootstrap, deviceName: 'est-sim-01', token })).toBe('enrolled');
      const enrolled = await readFile(certFile(dir), 'utf8');
      expect(inRenewalWindow(enrolled)).toBe(false);
      expect(await ensureCertificate(base)).toBe('current'); // not in its window: nothing to do
      expect(await ensureCertificate({ ...base, forceRenew: true })).toBe('renewed');
      const renewed = await readFile(certFile(dir), 'utf8');
      expect(renewed).not.toBe(enrolled);
      const row = await testDb.prisma.certificate.findUniqueOrThrow({ where: { fingerprintSha256: (await parseCertificate(renewed)).fingerprintSha256 } });
      expect(row).toMatchObject({ deviceId: device.id, source: 'RENEWAL' });
    } finally {
      stop = true;
      await job;
    }
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LocalCloudflare } from '@/emulator/index';
import type { SessionUser } from '@/lib/auth/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';

// Revocation end to end against a real database and the real local Cloudflare (API + mTLS edge +
// Worker in workerd): nothing between certfleet and Cloudflare is mocked.
const holder = vi.hoisted(() => ({ prisma: undefined as PrismaClient | undefined }));
vi.mock('@/lib/db/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db/client')>()),
  db: () => {
    if (!holder.prisma) throw new Error('test database not started');
    return holder.prisma;
  },
}));

const { startLocalCloudflare } = await import('@/emulator/index');
const { getClientCertificate, issueClientCertificate, updateHostnameAssociations } = await import('@/lib/cloudflare');
const { recordIssuedCertificate } = await import('@/lib/certificates/record');
const { generateKeyAndCsr } = await import('@/lib/pki');
const { postReading } = await import('@/lib/devices/simulator');
const { reactivateCertificate, revokeCertificates } = await import('./revocation');
const { refreshCertificates, refreshCertificatesForView, refreshPendingCertificates, refreshShownForView, settleRevocations } = await import('./certificate-refresh');
const { getCertificate } = await import('./certificates');

/** Long enough that "pending" is still pending when asserted; tests that need completion shorten it. */
const LONG_DELAY_MS = 60_000;
const REVOCATION_DELAY_MS = 5_000; // long enough for revoke + read-back on a busy machine (each call also draws from the shared budget)
const EDGE_HOST = 'localhost';

let testDb: TestDatabase;
let prisma: PrismaClient;
let lc: LocalCloudflare;
let dataDir: string;
let keysDir: string;
let edgeUrl: string;

const support: SessionUser = { id: 'u-support', email: 'support@revocation.test', name: 'Support', role: 'SUPPORT' };
const manager: SessionUser = { id: 'u-manager', email: 'manager@revocation.test', name: 'Manager', role: 'MANAGER' };
const admin: SessionUser = { id: 'u-admin', email: 'admin@revocation.test', name: 'Admin', role: 'ADMIN' };

beforeAll(async () => {
  testDb = await createTestDatabase();
  prisma = holder.prisma = testDb.prisma;
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-revocation-'));
  keysDir = path.join(dataDir, 'devices');
  await import('node:fs/promises').then((fs) => fs.mkdir(keysDir));
  lc = await startLocalCloudflare({
    dataDir: path.join(dataDir, 'emulator'),
    apiPort: 0,
    edgePort: 0,
    revocationDelayMs: LONG_DELAY_MS,
    reactivationDelayMs: LONG_DELAY_MS,
    rateLimit: null,
    edge: { exportToken: 'revocation-test-token', workerOutput: 'ignore' },
  });
  edgeUrl = `https://${EDGE_HOST}:${lc.edge!.port}`;
  Object.assign(process.env, {
    CLOUDFLARE_API_TOKEN: lc.apiToken,
    CLOUDFLARE_ZONE_ID: lc.zoneId,
    CLOUDFLARE_BASE_URL: lc.apiBaseUrl,
    CERTFLEET_EDGE_URL: edgeUrl,
    CERTFLEET_EDGE_CA_FILE: lc.caFiles.public,
    CERTFLEET_DEVICE_KEYS_DIR: keysDir,
  });
  // The mTLS rule applies on this host, as `npm start` sets it up for the demo devices.
  await updateHostnameAssociations([EDGE_HOST]);
});

afterAll(async () => {
  await lc?.stop();
  await testDb?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  for (const key of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ZONE_ID', 'CLOUDFLARE_BASE_URL', 'CERTFLEET_EDGE_URL', 'CERTFLEET_EDGE_CA_FILE', 'CERTFLEET_DEVICE_KEYS_DIR']) {
    delete process.env[key];
  }
});

let deviceCount = 0;

/** A device with a certificate issued by the local Cloudflare; `keepKey` stores its key where the simulator keeps demo keys. */
async function enroll(opts: { keepKey?: boolean } = {}) {
  const name = `rev-device-${++deviceCount}`;
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: name, O: 'certfleet tests' } });
  const issued = await issueClientCertificate({ csr: csrPem, validityDays: 365 });
  const device = await prisma.device.create({ data: { name, group: 'tests', commonName: name } });
  const cert = await prisma.$transaction((tx) => recordIssuedCertificate(tx, issued, { deviceId: device.id, source: 'ENROLLED' }));
  if (opts.keepKey) {
    await writeFile(path.join(keysDir, `${cert.fingerprintSha256}.cert.pem`), issued.certificatePem);
    await writeFile(path.join(keysDir, `${cert.fingerprintSha256}.key.pem`), privateKeyPem);
  }
  return { device, cert, credentials: { certPem: issued.certificatePem, keyPem: privateKeyPem } };
}

/** Cloudflare completes revocations and undos started from now on after `ms`. */
const completeAfter = (ms: number) => lc.configure({ revocationDelayMs: ms, reactivationDelayMs: ms });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cloudflareStatus = async (cloudflareId: string) => (await getClientCertificate(cloudflareId)).status;
const auditFor = (certificateId: string, action: string) => prisma.auditEvent.findMany({ where: { targetId: certificateId, action } });

beforeEach(() => {
  completeAfter(LONG_DELAY_MS);
});

describe('revoking', () => {
  it('SUPPORT revokes with a reason: Cloudflare says pending, certfleet stores who/when/why, the refresh job follows to revoked', async () => {
    const { cert } = await enroll();
    completeAfter(REVOCATION_DELAY_MS);
    const { results, revokedIds } = await revokeCertificates(support, { certificateIds: [cert.id], reason: 'DEVICE_LOST', note: 'left on a train' });
    expect(results).toEqual([expect.objectContaining({ certificateId: cert.id, ok: true, status: 'PENDING_REVOCATION' })]);
    expect(revokedIds).toEqual([cert.id]);
    expect(await cloudflareStatus(cert.cloudflareId)).toBe('pending_revocation');
    const stored = await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } });
    expect(stored).toMatchObject({ status: 'PENDING_REVOCATION', revocationReason: 'DEVICE_LOST', revocationNote: 'left on a train', revokedById: support.id, revokedByEmail: support.email });
    expect(stored.revokedAt).toBeInstanceOf(Date);
    const [event] = await auditFor(cert.id, 'certificate.revoke');
    expect(event).toMatchObject({ actorEmail: support.email, reason: 'Device lost or stolen: left on a train' });

    // Before Cloudflare completes it, a refresh changes nothing.
    expect((await refreshPendingCertificates(prisma)).changed).toBe(0);
    await sleep(REVOCATION_DELAY_MS);
    const summary = await refreshPendingCertificates(prisma);
    expect(summary).toMatchObject({ changed: 1, failed: 0, revokedIds: [cert.id] });
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).toMatchObject({ status: 'REVOKED', revokedByEmail: support.email, revocationReason: 'DEVICE_LOST' });
    expect(await auditFor(cert.id, 'certificate.revocation.complete')).toHaveLength(1);
  });

  it('a list page asks Cloudflare only about the pending certificates it shows, whatever else is pending', async () => {
    const { cert: shown } = await enroll();
    const { cert: notShown } = await enroll();
    completeAfter(600_000);
    await revokeCertificates(support, { certificateIds: [shown.id, notShown.id], reason: 'DEVICE_LOST', note: '' });
    const asked = () => lc.stats().requests;
    const before = asked();
    // Shown as active (a page read before the revoke): nothing to ask, no call.
    expect(await refreshShownForView(manager, [{ id: shown.id, status: 'ACTIVE' }])).toMatchObject({ checked: 0, changed: 0, failed: 0 });
    expect(asked()).toBe(before);
    // Shown pending: asked (one call), the other pending certificate is not.
    expect(await refreshShownForView(manager, [{ id: shown.id, status: 'PENDING_REVOCATION' }])).toMatchObject({ checked: 1, failed: 0 });
    expect(asked()).toBe(before + 1);
  });

  it('refuses MANAGER with 403 and changes nothing, at Cloudflare or here', async () => {
    const { cert } = await enroll();
    const before = await prisma.auditEvent.count();
    await expect(revokeCertificates(manager, { certificateIds: [cert.id], reason: 'KEY_COMPROMISE', note: '' })).rejects.toMatchObject({
      status: 403,
      message: 'You do not have permission to revoke certificates.',
    });
    await expect(reactivateCertificate(manager, cert.id)).rejects.toMatchObject({ status: 403 });
    expect(await cloudflareStatus(cert.cloudflareId)).toBe('active');
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).toMatchObject({ status: 'ACTIVE', revokedAt: null });
    expect(await prisma.auditEvent.count()).toBe(before);
  });

  it('requires text for the reason OTHER', async () => {
    const { cert } = await enroll();
    await expect(revokeCertificates(support, { certificateIds: [cert.id], reason: 'OTHER', note: '  ' })).rejects.toThrow(/Say why/);
    expect(await cloudflareStatus(cert.cloudflareId)).toBe('active');
  });

  it('bulk: each certificate reports its own result; one Cloudflare does not know fails alone', async () => {
    const a = await enroll();
    const b = await enroll();
    const ghostDevice = await prisma.device.create({ data: { name: 'rev-ghost', group: 'tests', commonName: 'rev-ghost' } });
    const ghost = await prisma.certificate.create({
      data: {
        ...(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest)(a.cert),
        cloudflareId: 'f'.repeat(32),
        serialNumber: 'ABCDEF0123456789',
        ski: 'aa'.repeat(20),
        fingerprintSha256: 'bb'.repeat(32),
        deviceId: ghostDevice.id,
      },
    });
    const { results, revokedIds } = await revokeCertificates(admin, { certificateIds: [a.cert.id, ghost.id, b.cert.id], reason: 'DECOMMISSIONED', note: '' });
    expect(results.map((r) => [r.certificateId, r.ok])).toEqual([
      [a.cert.id, true],
      [ghost.id, false],
      [b.cert.id, true],
    ]);
    expect(results[1]!.message).toMatch(/not found in Cloudflare/);
    expect(revokedIds).toEqual([a.cert.id, b.cert.id]);
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: ghost.id } })).toMatchObject({ status: 'ACTIVE', revokedAt: null });
    expect(await auditFor(ghost.id, 'certificate.revoke')).toHaveLength(0);
    expect(await cloudflareStatus(a.cert.cloudflareId)).toBe('pending_revocation');
    expect(await cloudflareStatus(b.cert.cloudflareId)).toBe('pending_revocation');

    // Asking again for an already revoking certificate is reported, not repeated.
    const again = await revokeCertificates(admin, { certificateIds: [a.cert.id], reason: 'DECOMMISSIONED', note: '' });
    expect(again.results[0]).toMatchObject({ ok: false, message: 'Already pending revocation: nothing to do.' });
  });
});

describe('a database write that fails after Cloudflare answered', () => {
  /** A real failure of the write: a trigger that refuses updates of these rows. */
  async function failUpdatesOf(ids: string[]) {
    await prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated failure of the database write'; END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER test_refuse_update BEFORE UPDATE ON "Certificate" FOR EACH ROW WHEN (OLD.id IN (${ids.map((id) => `'${id}'`).join(', ')})) EXECUTE FUNCTION test_refuse_update()`,
    );
    return () => prisma.$executeRawUnsafe(`DROP TRIGGER test_refuse_update ON "Certificate"`);
  }

  it('leaves nothing half-written; the refresh heals one, revoking again heals the other with its reason', async () => {
    const healedByRefresh = await enroll();
    const healedByRetry = await enroll();
    const restore = await failUpdatesOf([healedByRefresh.cert.id, healedByRetry.cert.id]);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    let outcome;
    let logCalls = 0;
    try {
      outcome = await revokeCertificates(support, { certificateIds: [healedByRefresh.cert.id, healedByRetry.cert.id], reason: 'KEY_COMPROMISE', note: '' });
    } finally {
      await restore();
      logCalls = logged.mock.calls.length;
      logged.mockRestore();
    }
    // The failure is logged for the operator, once per certificate.
    expect(logCalls).toBe(2);
    for (const result of outcome.results) {
      expect(result).toMatchObject({ ok: false, status: 'ACTIVE' });
      expect(result.message).toMatch(/Cloudflare accepted the revocation \(pending revocation\), but certfleet could not record it/);
    }
    expect(outcome.revokedIds).toEqual([]);
    for (const { cert } of [healedByRefresh, healedByRetry]) {
      expect(await cloudflareStatus(cert.cloudflareId)).toBe('pending_revocation');
      // Status, who/when/why and the audit event were one transaction: none of them was written.
      expect(await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).toMatchObject({ status: 'ACTIVE', revokedAt: null, revocationReason: null });
      expect(await auditFor(cert.id, 'certificate.revoke')).toHaveLength(0);
    }

    // The refresh (page view, job) writes Cloudflare's status; who and why are unknown to it.
    const summary = await refreshCertificatesForView(support, [healedByRefresh.cert.id]);
    expect(summary).toMatchObject({ checked: 1, changed: 1 });
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: healedByRefresh.cert.id } })).toMatchObject({
      status: 'PENDING_REVOCATION',
      revokedByEmail: 'system:refresh',
      revocationReason: null,
    });
    expect(await auditFor(healedByRefresh.cert.id, 'certificate.status.sync')).toEqual([
      expect.objectContaining({ actorEmail: 'system:refresh', details: { from: 'ACTIVE', to: 'PENDING_REVOCATION', cloudflareStatus: 'pending_revocation' } }),
    ]);

    // Revoking again: Cloudflare refuses a second revocation, certfleet sees it revoking and records this request.
    const retry = await revokeCertificates(support, { certificateIds: [healedByRetry.cert.id], reason: 'KEY_COMPROMISE', note: '' });
    expect(retry.results[0]).toMatchObject({ ok: true, status: 'PENDING_REVOCATION', message: 'Cloudflare was already revoking it (pending revocation); recorded.' });
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: healedByRetry.cert.id } })).toMatchObject({
      revocationReason: 'KEY_COMPROMISE',
      revokedByEmail: support.email,
    });
  });
});

describe('undo', () => {
  it('restores a certificate while its revocation is pending, audited, and follows Cloudflare back to active', async () => {
    const { cert } = await enroll();
    await revokeCertificates(support, { certificateIds: [cert.id], reason: 'OTHER', note: 'wrong device' });
    completeAfter(REVOCATION_DELAY_MS);
    const result = await reactivateCertificate(support, cert.id);
    expect(result).toMatchObject({ ok: true, status: 'PENDING_REACTIVATION' });
    expect(await cloudflareStatus(cert.cloudflareId)).toBe('pending_reactivation');
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).toMatchObject({
      status: 'PENDING_REACTIVATION',
      revokedAt: null,
      revocationReason: null,
      revokedByEmail: null,
    });
    expect(await auditFor(cert.id, 'certificate.reactivate')).toEqual([
      expect.objectContaining({ actorEmail: support.email, details: expect.objectContaining({ undoneReason: 'OTHER', revokedBy: support.email }) }),
    ]);
    await sleep(REVOCATION_DELAY_MS);
    await refreshCertificates(prisma, [cert.id]);
    expect(await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).toMatchObject({ status: 'ACTIVE' });
    expect(await auditFor(cert.id, 'certificate.reactivation.complete')).toHaveLength(1);
  });

  it('refuses once Cloudflare has completed the revocation, even before certfleet noticed', async () => {
    const { cert } = await enroll();
    completeAfter(REVOCATION_DELAY_MS);
    await revokeCertificates(support, { certificateIds: [cert.id], reason: 'KEY_COMPROMISE', note: '' });
    await sleep(REVOCATION_DELAY_MS);
    // certfleet still says pending; Cloudflare has revoked it.
    expect((await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).status).toBe('PENDING_REVOCATION');
    const result = await reactivateCertificate(support, cert.id);
    expect(result).toMatchObject({ ok: false, status: 'REVOKED' });
    expect(result.message).toMatch(/can no longer be undone/);
    expect(await cloudflareStatus(cert.cloudflareId)).toBe('revoked');
    expect((await prisma.certificate.findUniqueOrThrow({ where: { id: cert.id } })).status).toBe('REVOKED');
    expect(await auditFor(cert.id, 'certificate.reactivate')).toHaveLength(0);
  });
});

describe('proof at the edge', () => {
  it('makes the device’s own request once Cloudflare reports it revoked and records the 403 with the time it took', async () => {
    const proved = await enroll({ keepKey: true });
    const post = () => postReading({ url: `${edgeUrl}/temps`, device: proved.credentials, caPem: lc.store.publicCaCertPem(), timeoutMs: 10_000 });
    // The stored key really is this device's: before revocation the edge takes its reading.
    expect((await post()).status).toBe(201);

    const unprovable = await enroll();
    completeAfter(REVOCATION_DELAY_MS);
    const { revokedIds } = await revokeCertificates(support, { certificateIds: [proved.cert.id, unprovable.cert.id], reason: 'KEY_COMPROMISE', note: '' });
    const results = await settleRevocations(prisma, revokedIds, { timeoutMs: 20_000 });
    expect([...results.keys()]).toEqual([proved.cert.id]); // no key for the other one: left to the refresh
    const proof = results.get(proved.cert.id);
    expect(proof).toMatchObject({ outcome: 'proved', proof: { outcome: 'refused', status: 403, layer: 'mTLS rule' } });
    if (proof?.outcome !== 'proved') throw new Error('not proved');
    expect(proof.proof.elapsedMs).toBeGreaterThanOrEqual(REVOCATION_DELAY_MS - 100);
    expect(proof.proof.elapsedMs).toBeLessThan(15_000);

    const events = await auditFor(proved.cert.id, 'certificate.edge_refused');
    expect(events).toEqual([expect.objectContaining({ actorEmail: 'system:edge-proof', details: expect.objectContaining({ status: 403, elapsedMs: proof.proof.elapsedMs }) })]);
    const detail = await getCertificate(manager, proved.cert.id);
    expect(detail?.edgeProof).toMatchObject({ outcome: 'refused', status: 403, elapsedMs: proof.proof.elapsedMs });

    // And the edge keeps refusing it; a later view does not record a second proof.
    expect((await post()).status).toBe(403);
    await refreshCertificatesForView(manager, [proved.cert.id, unprovable.cert.id]);
    expect(await auditFor(proved.cert.id, 'certificate.edge_refused')).toHaveLength(1);
    expect((await getCertificate(manager, unprovable.cert.id))?.edgeProof).toBeNull();
    expect((await prisma.certificate.findUniqueOrThrow({ where: { id: unprovable.cert.id } })).status).toBe('REVOKED');
  });
});

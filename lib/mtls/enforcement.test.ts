import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { CANARY_DEVICE_NAME, ensureRevokedCanary } from './canary';
import type { MtlsConfig } from './config';
import { runEnforcementCheck } from './enforcement';
import { judgeEnforcement } from './judge';
import { probeHost, type ProbeResult } from './probe';
import { readWatchedHosts, writeWatchedHosts } from './settings';

const SHIELDED = 'sensors.acme-corp.com';
const OPEN = 'open.acme-corp.com';

let testDb: TestDatabase;
let cf: LocalCloudflare;
let dataDir: string;
let config: MtlsConfig;

beforeAll(async () => {
  testDb = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'certfleet-mtls-'));
  cf = await startLocalCloudflare({ dataDir, apiPort: 0, edgePort: 0, revocationDelayMs: 200, rateLimit: null, edge: { workerOutput: 'ignore' } });
  process.env.CLOUDFLARE_API_TOKEN = cf.apiToken;
  process.env.CLOUDFLARE_ZONE_ID = cf.zoneId;
  process.env.CLOUDFLARE_BASE_URL = cf.apiBaseUrl;
  config = { mode: 'local', edgeUrl: `https://localhost:${cf.edge!.port}`, edgeCaPem: readFileSync(cf.caFiles.public, 'utf8'), zoneCaPem: null, problems: [] };
});

afterAll(async () => {
  await cf?.stop();
  await testDb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const refused = (how = '403'): ProbeResult => ({ outcome: 'refused', status: 403, how });
const allowed = (status = 404): ProbeResult => ({ outcome: 'allowed', status, how: String(status) });

describe('judgeEnforcement', () => {
  it('says enforced only when both probes are refused', () => {
    expect(judgeEnforcement(refused(), refused()).enforced).toBe(true);
    expect(judgeEnforcement(refused(), { outcome: 'refused', status: null, how: 'refused during the TLS handshake' }).enforced).toBe(true);
  });

  it('explains each way it is not enforced', () => {
    expect(judgeEnforcement(allowed(), refused())).toMatchObject({ enforced: false, detail: expect.stringContaining('mTLS or the blocking rule is off') });
    expect(judgeEnforcement(refused(), allowed(200))).toMatchObject({ enforced: false, detail: expect.stringContaining('Revoked certificates get through') });
    expect(judgeEnforcement(refused(), { skipped: 'still pending revocation' })).toMatchObject({ enforced: false, detail: expect.stringContaining('not tested (still pending revocation)') });
    expect(judgeEnforcement({ outcome: 'unreachable', status: null, how: 'ECONNREFUSED' }, refused()).detail).toContain('could not be reached');
  });
});

describe('probeHost', () => {
  it('tells a handshake refusal from a host that cannot be reached or trusted', async () => {
    const { certPem, keyPem } = cf.store.issueServerCertificate(['strict.acme-corp.com']);
    // A server that demands a client certificate at the TLS layer, as some origins do.
    const strict = https.createServer({ cert: certPem, key: keyPem, requestCert: true, rejectUnauthorized: true, ca: cf.store.zoneCaCertPem() }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
    const url = `https://localhost:${(strict.address() as AddressInfo).port}`;
    try {
      const noCert = await probeHost({ url, hostname: 'strict.acme-corp.com', caPem: config.edgeCaPem });
      expect(noCert).toMatchObject({ outcome: 'refused', status: null });
      expect(noCert.how).toContain('handshake');
      const untrusted = await probeHost({ url, hostname: 'strict.acme-corp.com', caPem: cf.store.zoneCaCertPem() });
      expect(untrusted).toMatchObject({ outcome: 'unreachable' });
    } finally {
      await new Promise((r) => strict.close(r));
    }
    expect((await probeHost({ url: 'https://127.0.0.1:1', hostname: SHIELDED, timeoutMs: 2000 })).outcome).toBe('unreachable');
  });
});

describe('the canary', () => {
  it('is issued through Cloudflare, revoked, tagged so it never counts as a device, and reused', async () => {
    const canary = await ensureRevokedCanary(testDb.prisma, { waitMs: 5000, pollMs: 50 });
    expect(canary).toMatchObject({ ready: true });
    if (!canary.ready) return;
    expect(cf.store.certificateStatusBySerial(canary.serialNumber)).toBe('revoked');
    const row = await testDb.prisma.certificate.findUniqueOrThrow({ where: { cloudflareId: canary.cloudflareId }, include: { device: true } });
    expect(row).toMatchObject({ source: 'CANARY', status: 'REVOKED', revokedByEmail: 'system:enforcement-check' });
    expect(row.device).toMatchObject({ name: CANARY_DEVICE_NAME, isCanary: true });
    const again = await ensureRevokedCanary(testDb.prisma, { waitMs: 5000, pollMs: 50 });
    expect(again.ready && again.cloudflareId).toBe(canary.cloudflareId);
    const audit = await testDb.prisma.auditEvent.findMany({ where: { action: { startsWith: 'certificate.canary' } }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['certificate.canary.issue', 'certificate.canary.revoke']);
  });
});

describe('runEnforcementCheck against the local edge', () => {
  it('reports an associated host enforced and a watched host without the association not enforced', async () => {
    await cf.store.setHostnameAssociations([SHIELDED]);
    await writeWatchedHosts(testDb.prisma, [OPEN]);

    const summary = await runEnforcementCheck(testDb.prisma, { config, canaryWaitMs: 5000 });
    const byHost = Object.fromEntries(summary.results.map((r) => [r.hostname, r]));
    expect(byHost[SHIELDED]).toMatchObject({ enforced: true, noCertStatus: 403, revokedStatus: 403 });
    expect(byHost[OPEN]).toMatchObject({ enforced: false, noCertStatus: 404 });
    expect(byHost[OPEN]!.detail).toContain('no hostname association');
    expect(await readWatchedHosts(testDb.prisma)).toEqual([OPEN, SHIELDED]);

    const rows = await testDb.prisma.enforcementCheck.findMany({ where: { checkedAt: summary.checkedAt } });
    expect(rows.map((r) => [r.hostname, r.enforced]).sort()).toEqual([
      [OPEN, false],
      [SHIELDED, true],
    ]);

    // The association goes: the same host turns red on the next check.
    await cf.store.setHostnameAssociations([]);
    const after = await runEnforcementCheck(testDb.prisma, { config, canaryWaitMs: 5000 });
    expect(after.results.find((r) => r.hostname === SHIELDED)).toMatchObject({ enforced: false });
  });

  it('reports a host as not checked when the edge URL is missing', async () => {
    const summary = await runEnforcementCheck(testDb.prisma, { config: { ...config, edgeUrl: null }, canaryWaitMs: 100 });
    expect(summary.results.every((r) => !r.enforced && r.detail.includes('CERTFLEET_EDGE_URL'))).toBe(true);
  });
});

// The demo fleet renews itself (scripts/lib/demo-renewals.ts): real TLS handshakes with the local Cloudflare's
// edge, the Worker in workerd, certfleet's EST job issuing through the local Cloudflare API into a real database.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import { type CloudflareConfig, type CloudflareGateway, createCloudflareGateway, pacedCloudflare, rateBudgetFor } from '@/lib/cloudflare';
import { autoRevokeSuperseded } from '@/lib/data/renewal';
import { simulateFleet } from '@/lib/devices/simulator';
import { certFile } from '@/lib/est/device';
import { syncEst } from '@/lib/est/sync';
import { generateKeyAndCsr, parseCertificate } from '@/lib/pki';
import { pullReadings } from '@/lib/readings/pull';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { DEMO_RENEWAL, demoDeviceCredentials, demoDeviceDir, ensureDemoEstPolicies, renewThroughEst } from './demo-renewals';

const TOKEN = 'demo-renewals-export-token';
const HOST = 'localhost';
const GROUP = 'demo-renewals';

let dataDir: string;
let keysDir: string;
let lc: LocalCloudflare;
let cf: CloudflareGateway;
let testDb: TestDatabase;
let config: CloudflareConfig;
let edgeUrl: string;
let workerUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-demo-renewals-'));
  keysDir = path.join(dataDir, 'devices');
  [lc, testDb] = await Promise.all([
    startLocalCloudflare({
      dataDir,
      apiPort: 0,
      edgePort: 0,
      rateLimit: null,
      revocationDelayMs: 0,
      edge: { exportToken: TOKEN, workerOutput: 'ignore', estRetryAfterSeconds: 1 },
    }),
    createTestDatabase(),
  ]);
  config = { apiToken: lc.apiToken, zoneId: lc.zoneId, baseUrl: lc.apiBaseUrl };
  cf = createCloudflareGateway(config, { budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) });
  await cf.updateHostnameAssociations([HOST]);
  // Devices reach the edge as `localhost`, as npm start's demo sensors do.
  edgeUrl = (lc.edge as { url: string }).url.replace('127.0.0.1', HOST);
  workerUrl = String((lc.edge as unknown as { worker: { url: string } }).worker.url);
});

afterAll(async () => {
  await Promise.all([lc?.stop(), testDb?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const paced = () => pacedCloudflare({ config, budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) });

/** A demo sensor as seedDemoFleet leaves it: a SEED certificate of `days`, its key and certificate in keysDir by fingerprint. */
async function seededSensor(name: string, days: number) {
  const device = await testDb.prisma.device.create({ data: { name, group: GROUP, commonName: `${name}.devices.test`, status: 'ACTIVE' } });
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: device.commonName, O: 'certfleet demo', OU: GROUP } });
  const issued = await cf.issueClientCertificate({ csr: csrPem, validityDays: days });
  await testDb.prisma.$transaction((tx) => recordIssuedCertificate(tx, issued, { deviceId: device.id, source: 'SEED' }));
  await mkdir(keysDir, { recursive: true });
  await writeFile(path.join(keysDir, `${issued.fingerprintSha256}.key.pem`), privateKeyPem);
  await writeFile(path.join(keysDir, `${issued.fingerprintSha256}.cert.pem`), issued.certificatePem);
  return { device, fingerprint: issued.fingerprintSha256 };
}

describe('the demo fleet renews itself through EST', () => {
  it('sets the demo policy only where a group has none, audited as system:demo', async () => {
    await testDb.prisma.device.create({ data: { name: 'policy-probe', group: 'demo-kept', commonName: 'policy-probe.devices.test', status: 'ACTIVE' } });
    await testDb.prisma.estPolicy.create({ data: { group: 'demo-kept', windowMode: 'PERCENT', windowPercent: 20, updatedByEmail: 'admin@demo.test' } });
    expect(await ensureDemoEstPolicies(testDb.prisma, [GROUP, 'demo-kept'])).toEqual([GROUP]);
    expect(await ensureDemoEstPolicies(testDb.prisma, [GROUP, 'demo-kept'])).toEqual([]);
    const policies = await testDb.prisma.estPolicy.findMany({ where: { group: { in: [GROUP, 'demo-kept'] } }, orderBy: { group: 'asc' } });
    expect(policies.map((p) => [p.group, p.windowMode, p.windowDays, p.windowPercent, p.validityDays, p.updatedByEmail])).toEqual([
      ['demo-kept', 'PERCENT', 30, 20, null, 'admin@demo.test'],
      [GROUP, 'DAYS', DEMO_RENEWAL.withinDays, 30, DEMO_RENEWAL.validityDays, 'system:demo'],
    ]);
    const audit = await testDb.prisma.auditEvent.findMany({ where: { action: 'est.policy.update', targetId: GROUP } });
    expect(audit.map((a) => a.actorEmail)).toEqual(['system:demo']);
  });

  it('a sensor whose certificate is due renews, posts with the new one, and the old one is revoked; one not due keeps its own', async () => {
    const due = await seededSensor('demo-renew-01', 5);
    const notDue = await seededSensor('demo-renew-02', 365);
    const devices = [await demoDeviceCredentials(keysDir, 'demo-renew-01', due.fingerprint), await demoDeviceCredentials(keysDir, 'demo-renew-02', notDue.fingerprint)];
    expect(devices.every(Boolean)).toBe(true);
    // A sensor with neither a folder nor seeded files is not simulated.
    expect(await demoDeviceCredentials(keysDir, 'demo-renew-03')).toBeUndefined();

    // certfleet's EST job runs while the sensors post, as npm start's job worker does.
    let posting = true;
    const job = (async () => {
      while (posting) {
        await syncEst(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN, issuance: { cloudflare: paced() } });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const lines: string[] = [];
    const refreshErrors: unknown[] = [];
    const stats = await simulateFleet({
      url: `${edgeUrl}/temps`,
      devices: devices.map((d) => d!),
      caPem: lc.store.publicCaCertPem(),
      everyMs: 0,
      staggerMs: 0,
      count: 2,
      refresh: renewThroughEst({ baseUrl: edgeUrl, caPem: lc.store.publicCaCertPem(), keysDir, log: (line) => lines.push(line) }),
      onRefreshError: (_d, _i, error) => refreshErrors.push(error),
    }).finally(() => (posting = false));
    await job;
    expect(refreshErrors).toEqual([]);
    expect(stats.byStatus).toEqual({ 201: 4 });
    expect(lines.some((l) => l.startsWith('demo-renew-01: renewed'))).toBe(true);
    expect(lines.some((l) => l.startsWith('demo-renew-02:'))).toBe(false);

    // The due sensor's folder holds its new certificate, recorded as a renewal of a year (the demo policy).
    const renewedPem = await readFile(certFile(demoDeviceDir(keysDir, 'demo-renew-01')), 'utf8');
    const renewed = await parseCertificate(renewedPem);
    expect(renewed.fingerprintSha256).not.toBe(due.fingerprint);
    const row = await testDb.prisma.certificate.findFirstOrThrow({ where: { fingerprintSha256: renewed.fingerprintSha256 } });
    expect([row.deviceId, row.source, row.validityDays]).toEqual([due.device.id, 'RENEWAL', DEMO_RENEWAL.validityDays]);
    expect(await testDb.prisma.estRequest.count({ where: { status: 'ISSUED' } })).toBe(1);
    // The sensor that was not due still has the seeded certificate and asked for nothing.
    const keptPem = await readFile(certFile(demoDeviceDir(keysDir, 'demo-renew-02')), 'utf8');
    expect((await parseCertificate(keptPem)).fingerprintSha256).toBe(notDue.fingerprint);

    // Both posts after the renewal came with the new certificate; once certfleet has them, the old one is revoked.
    await pullReadings(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN });
    const posted = await testDb.prisma.reading.groupBy({ by: ['certificateFingerprint'], where: { deviceId: due.device.id }, _count: true });
    expect(posted.map((p) => [p.certificateFingerprint, p._count])).toEqual([[renewed.fingerprintSha256, 2]]);
    expect((await autoRevokeSuperseded(testDb.prisma, { cloudflare: paced() })).revoked).toBe(1);
    const old = await testDb.prisma.certificate.findFirstOrThrow({ where: { fingerprintSha256: due.fingerprint } });
    expect(old.status).toBe('REVOKED');

    // Next start: the simulator reads the sensor's own folder, not the seeded files.
    expect(existsSync(path.join(keysDir, `${due.fingerprint}.cert.pem`))).toBe(true);
    expect((await demoDeviceCredentials(keysDir, 'demo-renew-01', due.fingerprint))!.certPem).toBe(renewedPem);
  });
});

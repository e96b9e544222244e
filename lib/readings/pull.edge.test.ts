// The whole path a reading takes: a certificate issued through the local Cloudflare's API (official SDK), a
// simulated sensor posting over real mTLS to the edge, the Worker in workerd storing it, certfleet pulling it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from '@/emulator';
import { createCloudflareGateway, rateBudgetFor, type CloudflareGateway } from '@/lib/cloudflare';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import { createDeviceAgent, postReading, type DeviceCredentials } from '@/lib/devices/simulator';
import { generateKeyAndCsr } from '@/lib/pki';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/test-db';
import { pullReadings } from './pull';
import { createTestDevice } from './test-factories';

const TOKEN = 'pull-edge-token';
const SHIELD = 'sensors.pull.test';

let dataDir: string;
let lc: LocalCloudflare;
let cf: CloudflareGateway;
let testDb: TestDatabase;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-pull-'));
  [lc, testDb] = await Promise.all([
    startLocalCloudflare({ dataDir, apiPort: 0, edgePort: 0, rateLimit: null, edge: { exportToken: TOKEN, workerOutput: 'ignore' } }),
    createTestDatabase(),
  ]);
  const config = { apiToken: lc.apiToken, zoneId: lc.zoneId, baseUrl: lc.apiBaseUrl };
  cf = createCloudflareGateway(config, { maxRetries: 0, budget: rateBudgetFor(config, { prisma: () => testDb.prisma }) });
  await cf.updateHostnameAssociations([SHIELD]);
});

afterAll(async () => {
  await Promise.all([lc?.stop(), testDb?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function enrol(deviceId: string, commonName: string): Promise<DeviceCredentials & { fingerprint: string }> {
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: commonName, O: 'certfleet tests' }, sans: [commonName] });
  const cert = await cf.issueClientCertificate({ csr: csrPem, validityDays: 30 });
  const row = await testDb.prisma.$transaction((tx) => recordIssuedCertificate(tx, cert, { deviceId, source: 'ENROLLED' }));
  return { certPem: cert.certificatePem, keyPem: privateKeyPem, fingerprint: row.fingerprintSha256 };
}

describe('pullReadings through the local Cloudflare edge', () => {
  it('pulls what a sensor posted over mTLS, under its certificate and device, once', async () => {
    const device = await createTestDevice(testDb.prisma);
    const sensor = await enrol(device.id, 'sensor-pull-01.devices.test');
    const edgeUrl = (lc.edge as { url: string }).url;
    const workerUrl = String((lc.edge as unknown as { worker: { url: string } }).worker.url);
    const agent = createDeviceAgent(sensor, { caPem: lc.store.publicCaCertPem() });
    const sent = ['36.1', '36.25', '37'];
    try {
      for (const [i, temperature] of sent.entries()) {
        const result = await postReading({
          url: `${edgeUrl}/temps`,
          agent,
          headers: { host: SHIELD },
          reading: { temperature, time: `2026-03-01T10:0${i}:00Z` },
        });
        expect(result.status, result.body).toBe(201);
      }
    } finally {
      agent.destroy();
    }

    const summary = await pullReadings(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN });
    expect(summary).toMatchObject({ certificates: 1, readings: 3, duplicates: 0 });
    expect(await pullReadings(testDb.prisma, { exportUrl: workerUrl, exportToken: TOKEN })).toMatchObject({ readings: 0 });

    const rows = await testDb.prisma.reading.findMany({ where: { certificateFingerprint: sensor.fingerprint }, orderBy: { workerSeq: 'asc' } });
    expect(rows.map((r) => [r.temperature, r.time.toISOString(), Number(r.workerSeq), r.deviceId])).toEqual([
      [36.1, '2026-03-01T10:00:00.000Z', 1, device.id],
      [36.25, '2026-03-01T10:01:00.000Z', 2, device.id],
      [37, '2026-03-01T10:02:00.000Z', 3, device.id],
    ]);
    expect(await testDb.prisma.device.findUniqueOrThrow({ where: { id: device.id } })).toMatchObject({ lastSeenFingerprint: sensor.fingerprint });
  });
});

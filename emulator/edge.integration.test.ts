// The whole local Cloudflare: a certificate issued and revoked through the emulated REST API with the official
// SDK, posts through the edge with real TLS, readings read back from the Worker's export API.

import Cloudflare from 'cloudflare';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloudflare, type LocalCloudflare } from './index';
import type { RunningEdge } from './edge';
import { generateKeyAndCsr } from '@/lib/pki';
import { createDeviceAgent, postReading, utcSeconds, type DeviceCredentials } from '@/lib/devices/simulator';

const TOKEN = 'integration-export-token';
const SHIELD = 'shield.localhost';
const REVOCATION_DELAY_MS = 400;

let dataDir: string;
let lc: LocalCloudflare;
let edge: RunningEdge;
let cf: Cloudflare;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-lc-'));
  lc = await startLocalCloudflare({
    dataDir,
    apiPort: 0,
    edgePort: 0,
    revocationDelayMs: REVOCATION_DELAY_MS,
    rateLimit: null,
    edge: { exportToken: TOKEN, workerOutput: 'ignore' },
  });
  edge = lc.edge as unknown as RunningEdge;
  cf = new Cloudflare({ apiToken: lc.apiToken, baseURL: lc.apiBaseUrl, maxRetries: 0 });
  await cf.certificateAuthorities.hostnameAssociations.update({ zone_id: lc.zoneId, hostnames: [SHIELD] });
});

afterAll(async () => {
  await lc?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function enrol(commonName: string): Promise<DeviceCredentials & { id: string; fingerprint: string }> {
  const { csrPem, privateKeyPem } = await generateKeyAndCsr({
    algorithm: 'EC',
    subject: { C: 'US', ST: 'Texas', L: 'Austin', O: 'Temperature Testers, Inc.', OU: 'Tech Operations', CN: commonName },
    sans: [commonName],
  });
  const cert = await cf.clientCertificates.create({ zone_id: lc.zoneId, csr: csrPem, validity_days: 3650 });
  return { id: cert.id!, certPem: cert.certificate!, keyPem: privateKeyPem, fingerprint: cert.fingerprint_sha256! };
}

const post = (device: DeviceCredentials | undefined, agent?: ReturnType<typeof createDeviceAgent>) =>
  postReading({
    url: `${edge.url}/temps`,
    caPem: lc.store.publicCaCertPem(),
    device,
    agent,
    headers: { host: SHIELD },
    reading: { temperature: '36.5', time: utcSeconds() },
  });

describe('local Cloudflare: API, edge and Worker together', () => {
  it('403 without a certificate, 201 with one issued through the API, attributed to its fingerprint', async () => {
    const noCert = await post(undefined);
    expect(noCert.status).toBe(403);
    expect(noCert.body).toContain('1020');

    const sensor = await enrol('sensor-001.devices.upinatoms.com');
    const ok = await post(sensor);
    expect(ok.status, ok.body).toBe(201);

    // The export API through the Worker's own address (the workers.dev analogue, outside the mTLS rule).
    const res = await fetch(`${edge.worker.url}export/readings?fingerprint=${sensor.fingerprint}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { readings: { temperature: number }[] };
    expect(body.readings).toEqual([expect.objectContaining({ seq: 1, temperature: 36.5 })]);
  });

  it('refuses a certificate once its revocation through the API has taken effect', async () => {
    const sensor = await enrol('sensor-002.devices.upinatoms.com');
    const agent = createDeviceAgent(sensor, { caPem: lc.store.publicCaCertPem() });
    try {
      expect((await post(sensor, agent)).status).toBe(201);
      await cf.clientCertificates.delete(sensor.id, { zone_id: lc.zoneId });
      // pending_revocation: Cloudflare's revocation takes a moment to reach the edge.
      expect((await post(sensor, agent)).status).toBe(201);
      await new Promise((r) => setTimeout(r, REVOCATION_DELAY_MS + 100));
      const refused = await post(sensor, agent);
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('1020');
    } finally {
      agent.destroy();
    }
  });
});

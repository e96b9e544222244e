import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyAndCsr } from '@/lib/pki';
import { startLocalCloudflare } from './index';
import { raw } from './testing/harness';

function get(url: string, opts: https.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, opts, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('startLocalCloudflare with the mTLS edge', () => {
  it('starts the edge from emulator/edge.ts on the store, serving TLS from the public CA, and stops both', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'certfleet-lc-'));
    const lc = await startLocalCloudflare({ dataDir, edgePort: 0 });
    try {
      expect(lc.edge?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { csrPem, privateKeyPem } = await generateKeyAndCsr({ subject: { CN: 'edge-probe.devices.upinatoms.com' } });
      const issued = await raw(lc, 'POST', `/zones/${lc.zoneId}/client_certificates`, { body: { csr: csrPem, validity_days: 1 } });
      // The TLS handshake succeeds only if the edge's certificate chains to the public CA.
      const status = await get(`${lc.edge!.url}/`, {
        ca: lc.store.publicCaCertPem(),
        servername: 'localhost',
        cert: issued.json.result.certificate,
        key: privateKeyPem,
      });
      expect(status).toBeGreaterThanOrEqual(200);
    } finally {
      await lc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    await expect(fetch(`${lc.origin}/emulator/health`)).rejects.toThrow();
  });
});

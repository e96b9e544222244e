import https from 'node:https';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '@/lib/pki';
import { opensslCsr, opensslVerify } from '@/lib/pki/testing/openssl';
import { startLocalCloudflare } from './index';
import { EmulatorStore } from './store';
import { raw } from './testing/harness';

const dirs: string[] = [];
let caTemplate: string;
/** A data dir that already holds CA files, as after a first start: RSA key generation is the slow part. */
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'certfleet-store-'));
  dirs.push(d);
  if (caTemplate) cpSync(path.join(caTemplate, 'ca'), path.join(d, 'ca'), { recursive: true });
  return d;
};
beforeAll(async () => {
  const first = tempDir();
  await EmulatorStore.open(first);
  caTemplate = first;
});
afterEach(() => {
  for (const d of dirs.splice(1)) rmSync(d, { recursive: true, force: true });
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('state under the data dir', () => {
  it('survives a restart: CAs, zone id, token, certificates, CSRs, hostnames, associations', async () => {
    const dataDir = tempDir();
    const csr = opensslCsr({ subj: '/CN=sensor-7.devices.upinatoms.com' }).csrPem;
    const first = await startLocalCloudflare({ dataDir, revocationDelayMs: 60_000 });
    const a = await raw(first, 'POST', `/zones/${first.zoneId}/client_certificates`, { body: { csr, validity_days: 30 } });
    const b = await raw(first, 'POST', `/zones/${first.zoneId}/client_certificates`, { body: { csr, validity_days: 30 } });
    await raw(first, 'DELETE', `/zones/${first.zoneId}/client_certificates/${b.json.result.id}`);
    const customCsr = await raw(first, 'POST', `/zones/${first.zoneId}/custom_csrs`, {
      body: { country: 'US', state: 'MA', locality: 'Boston', organization: 'City', common_name: 'app.cityofboston.dev', sans: ['app.cityofboston.dev'], key_type: 'p256v1' },
    });
    const cert = await first.store.signWithPublicCa(customCsr.json.result.csr);
    await raw(first, 'POST', `/zones/${first.zoneId}/custom_hostnames`, {
      body: { hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: customCsr.json.result.id, custom_certificate: cert } },
    });
    await raw(first, 'PUT', `/zones/${first.zoneId}/certificate_authorities/hostname_associations`, { body: { hostnames: ['shield.upinatoms.com'] } });
    const zonePem = first.store.zoneCaCertPem();
    await first.stop();

    const second = await startLocalCloudflare({ dataDir });
    try {
      expect(second.zoneId).toBe(first.zoneId);
      expect(second.apiToken).toBe(first.apiToken);
      expect(second.store.zoneCaCertPem()).toBe(zonePem);
      const list = await raw(second, 'GET', `/zones/${second.zoneId}/client_certificates`);
      expect(list.json.result.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
        [a.json.result.id, 'active'],
        [b.json.result.id, 'pending_revocation'],
      ]);
      expect((await raw(second, 'GET', `/zones/${second.zoneId}/custom_csrs`)).json.result).toHaveLength(1);
      expect((await raw(second, 'GET', `/zones/${second.zoneId}/custom_hostnames`)).json.result).toHaveLength(1);
      expect(second.store.hostnameAssociations()).toEqual(['shield.upinatoms.com']);
      // The key stayed in the emulator: deleting the CSR is still refused while the hostname uses it.
      expect((await raw(second, 'DELETE', `/zones/${second.zoneId}/custom_csrs/${customCsr.json.result.id}`)).status).toBe(409);
    } finally {
      await second.stop();
    }
  });

  it('replays the journal of an emulator that was killed without stopping', async () => {
    const dataDir = tempDir();
    const store = await EmulatorStore.open(dataDir);
    const csr = opensslCsr({ subj: '/CN=kill-9.devices.upinatoms.com' }).csrPem;
    const c = await store.createClientCertificate({ csr, validity_days: 10 });
    // No compact(): as if the process died right after answering.
    const reopened = await EmulatorStore.open(dataDir);
    expect(reopened.getClientCertificate(c.id).serial_number).toBe(c.serial_number);
  });

  it('uses CLOUDFLARE_ZONE_ID / CLOUDFLARE_API_TOKEN values when given, and keeps them', async () => {
    const dataDir = tempDir();
    const zoneId = 'a'.repeat(32);
    const apiToken = 'T'.repeat(40);
    const store = await EmulatorStore.open(dataDir, { zoneId, apiToken });
    expect([store.zoneId, store.apiToken]).toEqual([zoneId, apiToken]);
    store.compact();
    const again = await EmulatorStore.open(dataDir);
    expect([again.zoneId, again.apiToken]).toEqual([zoneId, apiToken]);
  });

  it('writes the CA certificates as files for openssl and devices (keys private)', async () => {
    const store = await EmulatorStore.open(tempDir());
    expect(readFileSync(store.caFiles.zone, 'utf8')).toBe(store.zoneCaCertPem());
    expect(readFileSync(store.caFiles.public, 'utf8')).toBe(store.publicCaCertPem());
    const { statSync } = await import('node:fs');
    expect(statSync(store.caFiles.zone.replace(/\.pem$/, '.key')).mode & 0o077).toBe(0);
    const zoneCa = await parseCertificate(store.zoneCaCertPem());
    expect(zoneCa).toMatchObject({ isCa: true, isSelfSigned: true, keyType: 'RSA', keySize: 2048 });
  });
});

describe('what the edge uses (EdgeStore)', () => {
  it('issues a TLS server certificate synchronously that node and openssl trust via the public CA', async () => {
    const store = await EmulatorStore.open(tempDir());
    const { certPem, keyPem } = store.issueServerCertificate(['localhost', '127.0.0.1']);
    expect(opensslVerify(store.publicCaCertPem(), certPem, ['-purpose', 'sslserver'])).toMatch(/OK/);
    const info = await parseCertificate(certPem);
    expect(info.sanEntries).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    expect(info.aki).toBe((await parseCertificate(store.publicCaCertPem())).ski);
    const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, servername: 'localhost', ca: store.publicCaCertPem() }, (res) => {
            let b = '';
            res.on('data', (d) => (b += d));
            res.on('end', () => resolve(b));
          })
          .on('error', reject);
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('reports certificate status by serial in any hex form, undefined for unknown serials', async () => {
    const store = await EmulatorStore.open(tempDir());
    store.updateConfig({ revocationDelayMs: 0 });
    const c = await store.createClientCertificate({ csr: opensslCsr({ subj: '/CN=edge-1.devices.upinatoms.com' }).csrPem, validity_days: 10 });
    const colon = c.serial_number.match(/../g)!.join(':');
    expect(store.certificateStatusBySerial(c.serialUpper)).toBe('active');
    expect(store.certificateStatusBySerial(colon)).toBe('active');
    store.revokeClientCertificate(c.id);
    expect(store.certificateStatusBySerial(c.serialUpper)).toBe('revoked');
    expect(store.certificateStatusBySerial('ABCDEF')).toBeUndefined();
    expect(store.certificateStatusBySerial('not hex')).toBeUndefined();
  });
});

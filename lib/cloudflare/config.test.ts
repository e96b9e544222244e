import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloudflare, type TestCloudflare } from '@/emulator/testing/harness';
import { opensslCsr } from '@/lib/pki/testing/openssl';
import { describeCloudflareTarget, readCloudflareConfig } from './config';
import { CloudflareError, redact } from './errors';
import * as cloudflare from './index';

describe('configuration from the environment', () => {
  it('needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID', () => {
    expect(() => readCloudflareConfig({ CLOUDFLARE_ZONE_ID: 'z' })).toThrow(/set CLOUDFLARE_API_TOKEN/);
    const e = (() => {
      try {
        readCloudflareConfig({});
      } catch (x) {
        return x as CloudflareError;
      }
    })();
    expect(e?.code).toBe('NOT_CONFIGURED');
    expect(readCloudflareConfig({ CLOUDFLARE_API_TOKEN: 't', CLOUDFLARE_ZONE_ID: 'z', CLOUDFLARE_BASE_URL: 'http://127.0.0.1:8788/client/v4/' })).toEqual({
      apiToken: 't',
      zoneId: 'z',
      baseUrl: 'http://127.0.0.1:8788/client/v4',
    });
  });

  it('describes the target for the Settings page without the token', () => {
    const local = describeCloudflareTarget({ CLOUDFLARE_API_TOKEN: 'secret-token', CLOUDFLARE_ZONE_ID: 'z1', CLOUDFLARE_BASE_URL: 'http://127.0.0.1:8788/client/v4' });
    expect(local).toEqual({ mode: 'local', baseUrl: 'http://127.0.0.1:8788/client/v4', zoneId: 'z1', configured: true });
    expect(JSON.stringify(local)).not.toContain('secret-token');
    expect(describeCloudflareTarget({ CLOUDFLARE_API_TOKEN: 't', CLOUDFLARE_ZONE_ID: 'z' })).toMatchObject({ mode: 'real', baseUrl: 'https://api.cloudflare.com/client/v4' });
    expect(describeCloudflareTarget({})).toMatchObject({ configured: false, zoneId: null });
  });

  it('redacts a secret from any text', () => {
    expect(redact('token abc123secret in here', 'abc123secret')).toBe('token [redacted] in here');
  });
});

describe('top-level verbs read the environment on each call', () => {
  let cf: TestCloudflare;
  const saved = { ...process.env };
  beforeAll(async () => {
    cf = await startTestCloudflare();
    process.env.CLOUDFLARE_API_TOKEN = cf.apiToken;
    process.env.CLOUDFLARE_ZONE_ID = cf.zoneId;
    process.env.CLOUDFLARE_BASE_URL = cf.apiBaseUrl;
  });
  afterAll(async () => {
    for (const k of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ZONE_ID', 'CLOUDFLARE_BASE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await cf.cleanup();
  });

  it('issues and revokes through the env-configured emulator', async () => {
    const { csrPem } = opensslCsr({ subj: '/CN=env-1.devices.upinatoms.com' });
    const c = await cloudflare.issueClientCertificate({ csr: csrPem, validityDays: 7 });
    expect((await cloudflare.revokeClientCertificate(c.id)).status).toBe('pending_revocation');
    expect((await cloudflare.listClientCertificates()).map((x) => x.id)).toEqual([c.id]);
    expect(cloudflare.describeCloudflareTarget()).toMatchObject({ mode: 'local', zoneId: cf.zoneId });
  });
});

import { describe, expect, it } from 'vitest';
import { describeCloudflareTarget } from './cloudflare-target';

describe('describeCloudflareTarget', () => {
  it('defaults to the real API', () => {
    expect(describeCloudflareTarget({})).toEqual({ apiHost: 'api.cloudflare.com', isLocal: false, zoneId: null, tokenSet: false });
  });

  it('recognises the local emulator', () => {
    const target = describeCloudflareTarget({ CLOUDFLARE_BASE_URL: 'http://127.0.0.1:8788/client/v4', CLOUDFLARE_ZONE_ID: 'zone-1' });
    expect(target).toMatchObject({ apiHost: '127.0.0.1:8788', isLocal: true, zoneId: 'zone-1' });
  });

  it('never carries the token itself', () => {
    const secret = 'cf-secret-token-value';
    const target = describeCloudflareTarget({ CLOUDFLARE_API_TOKEN: secret, CLOUDFLARE_ZONE_ID: 'z' });
    expect(target.tokenSet).toBe(true);
    expect(JSON.stringify(target)).not.toContain(secret);
  });
});

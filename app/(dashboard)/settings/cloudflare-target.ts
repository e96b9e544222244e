export interface CloudflareTarget {
  /** Host (and port) the Cloudflare SDK talks to. */
  apiHost: string;
  /** True for the local emulator that `npm start` runs when no real zone is configured. */
  isLocal: boolean;
  zoneId: string | null;
  tokenSet: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Which Cloudflare the server is configured for, from its environment. Reports only whether a token
 * is set, never the token.
 */
export function describeCloudflareTarget(env: Record<string, string | undefined>): CloudflareTarget {
  let apiHost = 'api.cloudflare.com';
  let isLocal = false;
  const baseUrl = env.CLOUDFLARE_BASE_URL?.trim();
  if (baseUrl) {
    try {
      const url = new URL(baseUrl);
      apiHost = url.host;
      isLocal = LOOPBACK.has(url.hostname);
    } catch {
      apiHost = 'invalid CLOUDFLARE_BASE_URL';
    }
  }
  return {
    apiHost,
    isLocal,
    zoneId: env.CLOUDFLARE_ZONE_ID?.trim() || null,
    tokenSet: !!env.CLOUDFLARE_API_TOKEN?.trim(),
  };
}

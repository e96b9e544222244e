/**
 * Which Cloudflare certfleet talks to. Server-side only: this module reads the API token; never
 * import it from a client component. (`import 'server-only'` is left out on purpose: it throws
 * outside Next's react-server build, which would break tsx scripts and vitest.)
 */
import { CloudflareError } from './errors';

export const REAL_API_BASE_URL = 'https://api.cloudflare.com/client/v4';

export interface CloudflareConfig {
  apiToken: string;
  zoneId: string;
  /** Undefined = the real API (the SDK's default). */
  baseUrl?: string;
}

type Env = Record<string, string | undefined>;

/**
 * CLOUDFLARE_API_TOKEN + CLOUDFLARE_ZONE_ID (required), CLOUDFLARE_BASE_URL (optional: `npm start`
 * points it at the local emulator; unset = api.cloudflare.com).
 * @throws CloudflareError NOT_CONFIGURED
 */
export function readCloudflareConfig(env: Env = process.env): CloudflareConfig {
  const apiToken = env.CLOUDFLARE_API_TOKEN?.trim();
  const zoneId = env.CLOUDFLARE_ZONE_ID?.trim();
  const missing = [!apiToken && 'CLOUDFLARE_API_TOKEN', !zoneId && 'CLOUDFLARE_ZONE_ID'].filter(Boolean);
  if (missing.length) {
    throw new CloudflareError(
      'NOT_CONFIGURED',
      `Cloudflare is not configured: set ${missing.join(' and ')} (npm start sets them for the local emulator).`,
    );
  }
  const baseUrl = env.CLOUDFLARE_BASE_URL?.trim().replace(/\/+$/, '') || undefined;
  return { apiToken: apiToken!, zoneId: zoneId!, baseUrl };
}

export interface CloudflareTarget {
  /** 'local' when the base URL is a loopback address (the emulator), else 'real'. */
  mode: 'local' | 'real';
  baseUrl: string;
  zoneId: string | null;
  /** False when CLOUDFLARE_API_TOKEN or CLOUDFLARE_ZONE_ID is missing. */
  configured: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return LOOPBACK.has(host) || host.startsWith('127.') || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

/** For the Settings page: which Cloudflare is in use. Never includes the token. */
export function describeCloudflareTarget(env: Env = process.env): CloudflareTarget {
  const baseUrl = env.CLOUDFLARE_BASE_URL?.trim().replace(/\/+$/, '') || REAL_API_BASE_URL;
  return {
    mode: isLoopbackUrl(baseUrl) ? 'local' : 'real',
    baseUrl,
    zoneId: env.CLOUDFLARE_ZONE_ID?.trim() || null,
    configured: Boolean(env.CLOUDFLARE_API_TOKEN?.trim() && env.CLOUDFLARE_ZONE_ID?.trim()),
  };
}

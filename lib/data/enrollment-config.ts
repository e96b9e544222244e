import 'server-only';
import { readFile } from 'node:fs/promises';
import { describeCloudflareTarget } from '@/lib/cloudflare';
import type { ConnectInfo } from '@/lib/validation/enrollment';

/**
 * Where enrolled devices connect and which CA files certfleet hands out. The one place that reads
 * these variables for enrollment (never the API token):
 * - CERTFLEET_DEVICE_URL: the mTLS API devices post to, e.g. https://sensors.example.com (a real zone);
 * - CERTFLEET_EDGE_URL: the local mTLS edge `npm start` runs (local mode);
 * - CERTFLEET_ZONE_CA_FILE: the zone's managed client CA (the "CA chain" download, PKCS#12 chains);
 * - CERTFLEET_EDGE_CA_FILE: the CA of the local edge's server certificate (devices must trust it locally).
 */
export interface EnrollmentConfig {
  /** https origin devices post readings to, without a trailing slash; null when unknown. */
  deviceUrl: string | null;
  /** Where deviceUrl came from. */
  deviceUrlSource: 'CERTFLEET_DEVICE_URL' | 'CERTFLEET_EDGE_URL' | null;
  /** True when devices must be told to trust a private server CA (the local edge). */
  deviceNeedsServerCa: boolean;
  zoneCaFile: string | null;
  edgeCaFile: string | null;
  cloudflareMode: 'local' | 'real';
}

type Env = Record<string, string | undefined>;

const clean = (v: string | undefined) => v?.trim().replace(/\/+$/, '') || null;

export function readEnrollmentConfig(env: Env = process.env): EnrollmentConfig {
  const explicit = clean(env.CERTFLEET_DEVICE_URL);
  const edge = clean(env.CERTFLEET_EDGE_URL);
  const edgeCaFile = env.CERTFLEET_EDGE_CA_FILE?.trim() || null;
  return {
    deviceUrl: explicit ?? edge,
    deviceUrlSource: explicit ? 'CERTFLEET_DEVICE_URL' : edge ? 'CERTFLEET_EDGE_URL' : null,
    deviceNeedsServerCa: !explicit && Boolean(edge && edgeCaFile),
    zoneCaFile: env.CERTFLEET_ZONE_CA_FILE?.trim() || null,
    edgeCaFile,
    cloudflareMode: describeCloudflareTarget(env).mode,
  };
}

export type CaKind = 'zone' | 'edge';

/** The PEM of a CA certfleet hands out, or null when its file is not configured or unreadable. */
export async function readCaPem(kind: CaKind, config: EnrollmentConfig = readEnrollmentConfig()): Promise<string | null> {
  const file = kind === 'zone' ? config.zoneCaFile : config.edgeCaFile;
  if (!file) return null;
  try {
    const pem = await readFile(file, 'utf8');
    return pem.includes('-----BEGIN CERTIFICATE-----') ? pem : null;
  } catch {
    return null;
  }
}

/** What the "connect your device" panel needs to fill its snippets (the panel's own type). */
export type ConnectTarget = ConnectInfo;

/** The readings endpoint the Worker serves (seed 001's `/temps`). */
export const READINGS_PATH = '/temps';
export const EDGE_CA_DOWNLOAD_NAME = 'certfleet-edge-ca.pem';
export const ZONE_CA_DOWNLOAD_NAME = 'certfleet-zone-ca.pem';

export function connectTarget(config: EnrollmentConfig = readEnrollmentConfig()): ConnectTarget {
  const base = config.deviceUrl ?? 'https://api.example.com';
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    url = new URL('https://api.example.com');
  }
  const port = url.port ? Number(url.port) : 443;
  return {
    endpoint: `${url.origin}${READINGS_PATH}`,
    host: url.hostname,
    port,
    path: READINGS_PATH,
    serverCaFile: config.deviceNeedsServerCa ? EDGE_CA_DOWNLOAD_NAME : null,
    configured: Boolean(config.deviceUrl),
  };
}

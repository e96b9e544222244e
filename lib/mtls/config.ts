import 'server-only';
import { readFileSync } from 'node:fs';
import { describeCloudflareTarget } from '@/lib/cloudflare';

/**
 * What the mTLS pages, the enforcement check and the certificate doctor read from the environment,
 * in one place (server only). Against the local Cloudflare the edge is CERTFLEET_EDGE_URL, whose TLS
 * certificate CERTFLEET_EDGE_CA_FILE verifies; against a real zone each host is reached as
 * https://<hostname> and verified with the system's roots.
 */
export interface MtlsConfig {
  mode: 'local' | 'real';
  /** Local mode: where the edge listens (https://localhost:8443); the request's SNI and Host name the host. */
  edgeUrl: string | null;
  /** PEM that verifies the edge's TLS certificate (local mode). */
  edgeCaPem: string | null;
  /** PEM of the zone's managed client CA: what device certificates must chain to. */
  zoneCaPem: string | null;
  /** Why a file could not be read, for the page to say. */
  problems: string[];
}

type Env = Record<string, string | undefined>;

function readPem(file: string | undefined, what: string, problems: string[]): string | null {
  if (!file?.trim()) return null;
  try {
    return readFileSync(file.trim(), 'utf8');
  } catch (error) {
    problems.push(`${what} (${file}) cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

export function readMtlsConfig(env: Env = process.env): MtlsConfig {
  const problems: string[] = [];
  const mode = describeCloudflareTarget(env).mode;
  return {
    mode,
    edgeUrl: env.CERTFLEET_EDGE_URL?.trim().replace(/\/+$/, '') || null,
    edgeCaPem: readPem(env.CERTFLEET_EDGE_CA_FILE, 'CERTFLEET_EDGE_CA_FILE', problems),
    zoneCaPem: readPem(env.CERTFLEET_ZONE_CA_FILE, 'CERTFLEET_ZONE_CA_FILE', problems),
    problems,
  };
}

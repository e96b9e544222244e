import 'server-only';
import { readFileSync } from 'node:fs';

/**
 * Where certfleet can prove a revocation at the edge. Set only in local mode (`npm start` and the e2e
 * server set them); against a real zone the edge is Cloudflare's and certfleet holds no device keys.
 *
 * - CERTFLEET_EDGE_URL: https URL of the mTLS edge (the local emulator's).
 * - CERTFLEET_EDGE_CA_FILE: PEM that verifies the edge's TLS server certificate.
 * - CERTFLEET_DEVICE_KEYS_DIR: where the simulator's device keys live (`<fingerprint>.key.pem` beside
 *   `<fingerprint>.cert.pem`, written by the demo seed). Only certificates whose key is there can be proved.
 */
export interface EdgeConfig {
  url: string;
  caPem: string | undefined;
  deviceKeysDir: string | undefined;
}

type Env = Record<string, string | undefined>;

const caCache = new Map<string, string>();

export function readEdgeConfig(env: Env = process.env): EdgeConfig | null {
  const url = env.CERTFLEET_EDGE_URL?.trim().replace(/\/+$/, '');
  if (!url) return null;
  const caFile = env.CERTFLEET_EDGE_CA_FILE?.trim();
  let caPem: string | undefined;
  if (caFile) {
    caPem = caCache.get(caFile);
    if (caPem === undefined) {
      caPem = readFileSync(caFile, 'utf8');
      caCache.set(caFile, caPem);
    }
  }
  return { url, caPem, deviceKeysDir: env.CERTFLEET_DEVICE_KEYS_DIR?.trim() || undefined };
}

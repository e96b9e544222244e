import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the e2e web server (scripts/serve-test.ts) started, for specs that need to reach past the
 * browser: the local Cloudflare's API (to check a change landed), the edge (to handshake as a device),
 * the database (to seed their own rows through shared factories).
 */
export interface E2EStack {
  baseURL: string;
  databaseUrl: string;
  dataDir: string;
  cloudflare: {
    apiBaseUrl: string;
    origin: string;
    zoneId: string;
    apiToken: string;
    zoneCaFile: string;
    publicCaFile: string;
  };
  edge: { url: string; caFile: string };
  worker: { exportUrl: string; exportToken: string };
  /** The stack's mail catcher (the demo's "Local inbox" alert channel). */
  mail: { inboxUrl: string; smtpPort: number };
  /** The stack's OpenID Connect provider (scripts/lib/oidc-dev-provider.ts) and who can sign in there. */
  oidc: { issuer: string; name: string; accounts: { login: string; password: string; email: string; groups: string[] }[] };
  /** The environment the app and the job worker run with, to start more replicas of either. */
  appEnv: Record<string, string>;
}

/** One file per e2e port, so engineers running specs side by side do not read each other's stack. */
export const STACK_FILE = join(process.cwd(), '.test-data', `e2e-stack-${process.env.E2E_PORT ?? 3100}.json`);

export function readStack(): E2EStack {
  return JSON.parse(readFileSync(STACK_FILE, 'utf8')) as E2EStack;
}

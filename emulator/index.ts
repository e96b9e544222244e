/**
 * The local Cloudflare: start it with `startLocalCloudflare({ dataDir })` (tests: port 0 in a temp
 * dir) or `npm run emulator`. Point the official SDK at `apiBaseUrl` with `apiToken`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RateLimitStats } from './rate-limit';
import { API_PREFIX, createApiServer } from './server';
import type { EmulatorConfig, FaultConfig, RateLimitConfig } from './config';
import { EmulatorStore } from './store';

export { EmulatorStore } from './store';
export { CLOUDFLARE_RATE_LIMIT, defaultConfig } from './config';
export type { EmulatorConfig, FaultConfig, RateLimitConfig } from './config';
export type { CertificateStatus } from './zone/records';

export interface StartLocalCloudflareOptions {
  /** Where CAs and state live (npm start: `${CERTFLEET_DATA_DIR:-.data}/emulator`). */
  dataDir: string;
  /** 0 (default) picks a free port. */
  apiPort?: number;
  /** Listen address; loopback unless you mean to expose the emulator. */
  host?: string;
  /** Starts the mTLS edge (emulator/edge.ts) on this port (0 = free port); omitted = no edge. */
  edgePort?: number;
  /** Extra options for startEdge (exportToken, persistDir, apple…); port/host/store are filled in. */
  edge?: Record<string, unknown>;
  zoneId?: string;
  apiToken?: string;
  apiEmail?: string;
  apiKey?: string;
  revocationDelayMs?: number;
  reactivationDelayMs?: number;
  hostnameActivationDelayMs?: number;
  /** Unrevoked client certificates per zone; default unlimited. */
  clientCertificateQuota?: number | null;
  /** Default Cloudflare's 1,200 per 5 minutes; null disables. */
  rateLimit?: Partial<RateLimitConfig> | null;
  faults?: Partial<FaultConfig>;
  /** Request log lines (never contain credentials). */
  log?: (line: string) => void;
}

/** The part of a running edge the emulator relies on; the edge returns more (see emulator/edge.ts). */
export interface RunningEdgeLike {
  url: string;
  port: number;
  stop(): Promise<void>;
  [key: string]: unknown;
}

export interface LocalCloudflare {
  /** e.g. http://127.0.0.1:8788/client/v4 — the SDK's baseURL. */
  apiBaseUrl: string;
  /** e.g. http://127.0.0.1:8788 — emulator-only routes live under /emulator/. */
  origin: string;
  port: number;
  zoneId: string;
  /** Account tag (account-scoped custom CSRs). */
  accountId: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
  dataDir: string;
  /** PEM files of the zone's managed client CA and of the "public" CA. */
  caFiles: { zone: string; public: string };
  store: EmulatorStore;
  edge?: RunningEdgeLike;
  /** Current configuration (delays, quota, rate limit, faults). */
  config(): EmulatorConfig;
  /** Changes configuration at run time (same as POST /emulator/config). */
  configure(patch: Partial<EmulatorConfig>): EmulatorConfig;
  /** Empties the zone and restores the start-up configuration (same as POST /emulator/reset). */
  reset(): void;
  /**
   * Requests seen under /client/v4 since start, how many were faulted on purpose, and the rate limit's
   * record (most requests in one window, 429s, lock-outs; also GET /emulator/stats).
   */
  stats(): { requests: number; injectedErrors: number; droppedConnections: number; rateLimit: RateLimitStats };
  stop(): Promise<void>;
}

function configFrom(opts: StartLocalCloudflareOptions): Partial<EmulatorConfig> {
  const c: Partial<EmulatorConfig> = {};
  if (opts.revocationDelayMs !== undefined) c.revocationDelayMs = opts.revocationDelayMs;
  if (opts.reactivationDelayMs !== undefined) c.reactivationDelayMs = opts.reactivationDelayMs;
  if (opts.hostnameActivationDelayMs !== undefined) c.hostnameActivationDelayMs = opts.hostnameActivationDelayMs;
  if (opts.clientCertificateQuota !== undefined) c.clientCertificateQuota = opts.clientCertificateQuota;
  if (opts.rateLimit !== undefined) c.rateLimit = opts.rateLimit as RateLimitConfig | null;
  if (opts.faults) c.faults = opts.faults as FaultConfig;
  return c;
}

/** Loads emulator/edge.ts when it exists (it is built separately); undefined when it does not. */
async function loadEdgeModule(): Promise<{ startEdge: (o: Record<string, unknown>) => Promise<RunningEdgeLike> } | undefined> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = ['edge.ts', 'edge.js'].map((f) => path.join(here, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { startEdge?: unknown };
  return typeof mod.startEdge === 'function' ? (mod as { startEdge: (o: Record<string, unknown>) => Promise<RunningEdgeLike> }) : undefined;
}

/**
 * Starts the local Cloudflare API (and the mTLS edge when `edgePort` is given). CA keys, the zone
 * id and credentials are made on first start under `dataDir` and reused afterwards.
 */
export async function startLocalCloudflare(opts: StartLocalCloudflareOptions): Promise<LocalCloudflare> {
  const host = opts.host ?? '127.0.0.1';
  const store = await EmulatorStore.open(opts.dataDir, {
    zoneId: opts.zoneId,
    apiToken: opts.apiToken,
    apiEmail: opts.apiEmail,
    apiKey: opts.apiKey,
    config: configFrom(opts),
  });
  const api = createApiServer({ store, log: opts.log });
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(opts.apiPort ?? 0, host, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  const port = (api.server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const stopApi = async () => {
    await new Promise<void>((resolve) => {
      api.server.close(() => resolve());
      // Keep-alive sockets of SDK clients would otherwise hold close() open.
      api.server.closeAllConnections();
    });
    store.compact();
  };

  let edge: RunningEdgeLike | undefined;
  if (opts.edgePort !== undefined) {
    try {
      const mod = await loadEdgeModule();
      if (!mod) {
        opts.log?.('emulator: emulator/edge.ts is not there yet; starting without the mTLS edge');
      } else {
        edge = await mod.startEdge({
          store,
          host,
          exportToken: process.env.WORKER_EXPORT_TOKEN ?? randomBytes(24).toString('base64url'),
          persistDir: path.join(path.resolve(opts.dataDir), 'worker'),
          ...(opts.edge ?? {}),
          port: opts.edgePort,
        });
      }
    } catch (e) {
      await stopApi();
      throw e;
    }
  }

  let stopped = false;
  return {
    apiBaseUrl: `${origin}${API_PREFIX}`,
    origin,
    port,
    zoneId: store.zoneId,
    accountId: store.accountTag,
    apiToken: store.apiToken,
    apiEmail: store.apiEmail,
    apiKey: store.apiKey,
    dataDir: store.dataDir,
    caFiles: store.caFiles,
    store,
    edge,
    config: () => store.config,
    configure: (patch) => {
      const cfg = store.updateConfig(patch);
      if ('rateLimit' in patch) api.resetRateLimits();
      return cfg;
    },
    reset: () => {
      store.reset();
      api.resetRateLimits();
    },
    stats: api.stats,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await edge?.stop();
      } finally {
        await stopApi();
      }
    },
  };
}

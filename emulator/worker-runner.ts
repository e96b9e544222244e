// Runs the readings Worker (worker/src) in workerd through miniflare, the way `wrangler dev` would, but from
// inside our own process so the edge, tests and benchmarks can hand it requests with a `cf` object.

import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare, type RequestInit as MiniflareRequestInit, type Response as MiniflareResponse } from 'miniflare';

const WORKER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../worker');

/** Durable Object bindings as declared in worker/wrangler.toml (a test keeps the two in step). */
export const WORKER_DURABLE_OBJECTS = {
  READINGS: { className: 'DeviceReadings', useSQLite: true },
  REGISTRY: { className: 'CertificateRegistry', useSQLite: true },
  EST: { className: 'EstStore', useSQLite: true },
} as const;

export interface AppleDeviceCheckConfig {
  /** PKCS#8 PEM of the ES256 key (an AuthKey_XXXX.p8). */
  privateKeyPem: string;
  kid: string;
  iss: string;
}

export interface StartWorkerOptions {
  /** Keep Durable Object storage here so readings survive restarts; omit for in-memory (tests). */
  persistDir?: string;
  /** The EXPORT_TOKEN secret. */
  exportToken: string;
  /** Replaces Apple's production DeviceCheck base URL (APPLE_DEVICECHECK_BASE_URL). */
  appleBaseUrl?: string;
  /** Replaces Apple's development DeviceCheck base URL; defaults to appleBaseUrl when that is given. */
  appleDevelopmentBaseUrl?: string;
  /** The APPLE_JWT_* secrets; without them a request with X-Apple-Device-Token gets 401. */
  apple?: AppleDeviceCheckConfig;
  /** EST_CA_CERTS: what /.well-known/est/cacerts returns (the edge passes the zone CA). */
  estCaCertsPem?: string;
  /** EST_RETRY_AFTER_SECONDS of the 202 answers. */
  estRetryAfterSeconds?: number;
  /** Worker console output: 'inherit' prints it (default), 'ignore' drops it, or a function receives each chunk. */
  output?: 'inherit' | 'ignore' | ((chunk: string) => void);
}

export type WorkerDispatch = (url: string | URL, init?: MiniflareRequestInit) => Promise<MiniflareResponse>;

export interface RunningWorker {
  /** Hands a request to the Worker; `init.cf` becomes `request.cf`. */
  dispatchFetch: WorkerDispatch;
  /** miniflare's own loopback HTTP listener (no `cf.tlsClientAuth`, so /temps answers 403 there). */
  url: string;
  miniflare: Miniflare;
  stop(): Promise<void>;
}

let bundleOnce: Promise<string> | undefined;

/** The Worker bundled to one ES module, as wrangler would (cached: the source does not change within a run). */
export function bundleWorker(): Promise<string> {
  bundleOnce ??= build({
    entryPoints: [path.join(WORKER_DIR, 'src/index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    // 'neutral' reads no package.json main fields by default; the EST code bundles @peculiar/x509 (ESM in "module").
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  bundleOnce.catch(() => (bundleOnce = undefined));
  return bundleOnce;
}

/** The compatibility_date of worker/wrangler.toml, so the local run matches what deploys. */
export async function workerCompatibilityDate(): Promise<string> {
  const toml = await readFile(path.join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml)?.[1];
  if (!date) throw new Error('worker/wrangler.toml has no compatibility_date');
  return date;
}

/**
 * Starts the Worker in workerd. Always `stop()` it (in a `finally`): a Node process that dies without it
 * leaves the workerd child running.
 */
export async function startWorker(opts: StartWorkerOptions): Promise<RunningWorker> {
  const [script, compatibilityDate] = await Promise.all([bundleWorker(), workerCompatibilityDate()]);
  const bindings: Record<string, string> = { EXPORT_TOKEN: opts.exportToken };
  if (opts.appleBaseUrl) bindings.APPLE_DEVICECHECK_BASE_URL = opts.appleBaseUrl;
  const devBase = opts.appleDevelopmentBaseUrl ?? opts.appleBaseUrl;
  if (devBase) bindings.APPLE_DEVICECHECK_DEVELOPMENT_BASE_URL = devBase;
  if (opts.apple) {
    bindings.APPLE_JWT_PRIVATE_KEY = opts.apple.privateKeyPem;
    bindings.APPLE_JWT_KID = opts.apple.kid;
    bindings.APPLE_JWT_ISS = opts.apple.iss;
  }
  if (opts.estCaCertsPem) bindings.EST_CA_CERTS = opts.estCaCertsPem;
  if (opts.estRetryAfterSeconds) bindings.EST_RETRY_AFTER_SECONDS = String(opts.estRetryAfterSeconds);
  const output = opts.output ?? 'inherit';

  const miniflare = new Miniflare({
    modules: true,
    script,
    scriptPath: path.join(WORKER_DIR, 'src/index.js'),
    compatibilityDate,
    // Without this miniflare downloads a sample cf object from the internet at start.
    cf: false,
    host: '127.0.0.1',
    port: 0,
    bindings,
    durableObjects: WORKER_DURABLE_OBJECTS,
    durableObjectsPersist: opts.persistDir ? path.resolve(opts.persistDir) : false,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) {
        if (output === 'ignore') stream.resume();
        else if (output === 'inherit') stream.pipe(stream === stdout ? process.stdout : process.stderr);
        else stream.setEncoding('utf8').on('data', output);
      }
    },
  });
  let url: URL;
  try {
    url = await miniflare.ready;
  } catch (err) {
    await miniflare.dispose().catch(() => {});
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    dispatchFetch: (input, init) => miniflare.dispatchFetch(input, init),
    url: url.toString(),
    miniflare,
    stop: () => (stopped ??= miniflare.dispose()),
  };
}

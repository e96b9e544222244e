// The local stand-in for Cloudflare's edge: terminates TLS on loopback, asks every client for a certificate,
// verifies it against the zone's managed CA, fills `request.cf.tlsClientAuth` as Cloudflare documents it,
// applies API Shield's mTLS rule on associated hostnames, and hands the request to the readings Worker.
// @see ../shared/cloudflare-api/tls-client-auth.json (field formats) and docs/worker.md

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { handleEdgeRequest, type EdgeLogEntry, type EdgeStore } from './edge-request';
import { startWorker, type AppleDeviceCheckConfig, type RunningWorker, type WorkerDispatch } from './worker-runner';

export type { CertificateStatus } from './zone/records';
export type { EdgeLogEntry, EdgeStore } from './edge-request';
export { buildTlsClientAuth, presentedChain, tlsClientAuthFor, TLS_CLIENT_AUTH_PLACEHOLDER, type TlsClientAuth } from './tls-client-auth';

export interface StartEdgeOptions {
  /** 0 picks a free port (tests); `npm run emulator` passes CLOUDFLARE_EDGE_PORT (8443). */
  port: number;
  /** Listen address; loopback unless you mean to expose the emulator. */
  host?: string;
  store: EdgeStore;
  /** The Worker's EXPORT_TOKEN secret. */
  exportToken: string;
  /** Apple DeviceCheck stand-in (APPLE_DEVICECHECK_BASE_URL); development requests use it too unless set below. */
  appleBaseUrl?: string;
  appleDevelopmentBaseUrl?: string;
  apple?: AppleDeviceCheckConfig;
  /** Durable Object storage directory (readings survive restarts); omit for in-memory. */
  persistDir?: string;
  /** Use this running Worker instead of starting one; the edge then leaves stopping it to the caller. */
  worker?: RunningWorker;
  /** Extra names for the edge's TLS certificate (besides localhost, 127.0.0.1 and the associated hostnames). */
  hostnames?: string[];
  /** Retry-After of EST's 202 answers (the Worker's default is 30 s). */
  estRetryAfterSeconds?: number;
  /** Worker console output, passed to startWorker. */
  workerOutput?: 'inherit' | 'ignore' | ((chunk: string) => void);
  /** Called after each request (an access log). */
  onRequest?: (entry: EdgeLogEntry) => void;
}

export interface RunningEdge {
  /** https://<host>:<port> */
  url: string;
  port: number;
  host: string;
  /** Names the edge's default TLS certificate covers; other SNI names get a certificate on first use. */
  hostnames: string[];
  /** The edge's default TLS certificate (PEM), signed by the store's public CA. */
  serverCertPem: string;
  worker: RunningWorker;
  /** Straight to the Worker, bypassing TLS and the mTLS rule (pass `cf` yourself). */
  dispatchFetch: WorkerDispatch;
  stop(): Promise<void>;
}

const MAX_SNI_CONTEXTS = 64;

/**
 * Starts the edge (and, unless `opts.worker` is given, the Worker in workerd). Always `stop()` it.
 */
export async function startEdge(opts: StartEdgeOptions): Promise<RunningEdge> {
  const host = opts.host ?? '127.0.0.1';
  const { store } = opts;
  const worker =
    opts.worker ??
    (await startWorker({
      persistDir: opts.persistDir,
      exportToken: opts.exportToken,
      appleBaseUrl: opts.appleBaseUrl,
      appleDevelopmentBaseUrl: opts.appleDevelopmentBaseUrl,
      apple: opts.apple,
      estCaCertsPem: store.zoneCaCertPem(),
      estRetryAfterSeconds: opts.estRetryAfterSeconds,
      output: opts.workerOutput,
    }));
  const ownsWorker = !opts.worker;

  try {
    const hostnames = unique([
      'localhost',
      '127.0.0.1',
      ...(isIP(host) && host !== '0.0.0.0' && host !== '::' ? [host] : []),
      ...store.hostnameAssociations().filter((h) => !h.includes('*')),
      ...(opts.hostnames ?? []),
    ]);
    const defaultCert = store.issueServerCertificate(hostnames);

    // A client that sends SNI for a name the default certificate lacks (e.g. a hostname associated after
    // start) gets a certificate for that name, as Cloudflare's Universal SSL would have.
    const sniContexts = new Map<string, tls.SecureContext>();
    const defaultContext = tls.createSecureContext({ cert: defaultCert.certPem, key: defaultCert.keyPem });
    const covered = new Set(hostnames.map((h) => h.toLowerCase()));
    const SNICallback = (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
      const name = servername.toLowerCase();
      if (covered.has(name) || !/^[a-z0-9.-]{1,253}$/.test(name)) return cb(null, defaultContext);
      let ctx = sniContexts.get(name);
      if (!ctx) {
        try {
          const issued = store.issueServerCertificate([name]);
          ctx = tls.createSecureContext({ cert: issued.certPem, key: issued.keyPem });
        } catch (err) {
          return cb(err as Error);
        }
        if (sniContexts.size >= MAX_SNI_CONTEXTS) sniContexts.delete(sniContexts.keys().next().value!);
        sniContexts.set(name, ctx);
      }
      cb(null, ctx);
    };

    // listenPort is set before the first request can arrive.
    const handle = (req: IncomingMessage, res: ServerResponse) =>
      handleEdgeRequest(req, res, { store, worker, host, port: listenPort, onRequest: opts.onRequest });

    const server = https.createServer(
      {
        cert: defaultCert.certPem,
        key: defaultCert.keyPem,
        SNICallback,
        // Ask every client for a certificate but let the handshake finish without one (or with a bad one):
        // Cloudflare does the same and leaves the decision to the mTLS rule and the Worker.
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        handle(req, res).catch((err) => {
          console.error('edge: request failed:', err);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('error code: 502\n');
        });
      },
    );
    // Scanners and half-open test sockets should not print stack traces.
    server.on('tlsClientError', () => {});

    const listenPort = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownsWorker) await worker.stop();
      })());

    return {
      url: `https://${host.includes(':') ? `[${host}]` : host}:${listenPort}`,
      port: listenPort,
      host,
      hostnames,
      serverCertPem: defaultCert.certPem,
      worker,
      dispatchFetch: worker.dispatchFetch,
      stop,
    };
  } catch (err) {
    if (ownsWorker) await worker.stop();
    throw err;
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

// One request through the local edge: API Shield's mTLS rule on associated hostnames, then the Worker with
// `request.cf` filled as Cloudflare fills it (tls-client-auth.ts), and its answer back to the client.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tlsClientAuthFor } from './tls-client-auth';
import type { RunningWorker } from './worker-runner';
import type { CertificateStatus } from './zone/records';

/** What the edge needs from the emulated Cloudflare account (implemented by the emulator's store). */
export interface EdgeStore {
  /** PEM of the zone's managed CA: the trust anchor for client certificates. */
  zoneCaCertPem(): string;
  /** Status of a client certificate issued by the zone CA, by serial (uppercase hex, as `openssl -serial`). */
  certificateStatusBySerial(serialUpperHex: string): CertificateStatus | undefined;
  /** Hostnames where API Shield's mTLS rule applies (hostname_associations of the managed CA). */
  hostnameAssociations(): string[];
  /** A TLS server certificate for these names, signed by the emulator's "public" CA. */
  issueServerCertificate(hostnames: string[]): { certPem: string; keyPem: string };
}

export interface EdgeLogEntry {
  method: string;
  host: string;
  path: string;
  status: number;
  /** True when the mTLS rule answered instead of the Worker. */
  blocked: boolean;
  certVerified: string;
  fingerprint: string;
}

/** Cloudflare refuses larger bodies with 413 too (its limit is 100 MB; an emulator buffering that is silly). */
const MAX_EDGE_BODY_BYTES = 10 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // The edge sets these itself: a client must not be able to claim another address.
  'cf-connecting-ip',
  'x-forwarded-for',
  'x-real-ip',
  'cf-ray',
  'cf-visitor',
]);

export interface EdgeRequestContext {
  store: EdgeStore;
  worker: RunningWorker;
  /** The edge's listen address and port (the Host when a client sends none). */
  host: string;
  port: number;
  onRequest?: (entry: EdgeLogEntry) => void;
}

export async function handleEdgeRequest(req: IncomingMessage, res: ServerResponse, ctx: EdgeRequestContext): Promise<void> {
  const { store, worker, host } = ctx;
  // `servername` (the SNI the client sent) is set on server sockets but missing from @types/node.
  const socket = req.socket as TLSSocket & { servername?: string | false };
  const hostHeader = req.headers.host ?? `${socket.servername || host}:${ctx.port}`;
  if (!/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(hostHeader)) {
    req.resume();
    res.writeHead(400, { 'content-type': 'text/plain' }).end('error code: 400 (bad Host header)\n');
    return;
  }
  const hostname = hostOnly(hostHeader) || (socket.servername || '').toLowerCase();
  const auth = tlsClientAuthFor(socket, store);
  const path = req.url ?? '/';
  const log = (status: number, blocked: boolean) =>
    ctx.onRequest?.({
      method: req.method ?? 'GET',
      host: hostname,
      path,
      status,
      blocked,
      certVerified: auth.certVerified,
      fingerprint: auth.certFingerprintSHA256,
    });

  // API Shield's mTLS rule: (http.host in {associated}) and (not cf.tls_client_auth.cert_verified or
  // cf.tls_client_auth.cert_revoked) → Block.
  // @see https://developers.cloudflare.com/api-shield/security/mtls/configure/
  if (matchesAny(hostname, store.hostnameAssociations())) {
    if (auth.certVerified !== 'SUCCESS' || auth.certRevoked === '1') {
      req.resume();
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      // What Cloudflare answers a non-browser client when a firewall rule blocks it.
      res.end('error code: 1020\n');
      log(403, true);
      return;
    }
  }

  const method = req.method ?? 'GET';
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    body = await readBody(req, MAX_EDGE_BODY_BYTES);
    if (!body) {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end('error code: 413\n');
      log(413, true);
      return;
    }
  }

  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push([name, req.rawHeaders[i + 1]!]);
  }
  const clientIp = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  headers.push(
    ['cf-connecting-ip', clientIp],
    ['x-forwarded-for', clientIp],
    ['x-forwarded-proto', 'https'],
    ['cf-visitor', '{"scheme":"https"}'],
    ['cf-ray', `${randomBytes(8).toString('hex')}-LCL`],
  );

  const cipher = socket.getCipher();
  const response = await worker.dispatchFetch(`https://${hostHeader}${path}`, {
    method,
    headers,
    body,
    redirect: 'manual',
    cf: {
      tlsClientAuth: auth,
      tlsVersion: socket.getProtocol() ?? '',
      tlsCipher: cipher?.standardName ?? cipher?.name ?? '',
      httpProtocol: `HTTP/${req.httpVersion}`,
      colo: 'LCL',
    },
  });
  const outHeaders: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'content-encoding') {
      outHeaders[name] = value;
    }
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) outHeaders['set-cookie'] = cookies;
  const payload = Buffer.from(await response.arrayBuffer());
  outHeaders['content-length'] = String(payload.length);
  res.writeHead(response.status, outHeaders);
  res.end(method === 'HEAD' ? undefined : payload);
  log(response.status, false);
}

function hostOnly(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function matchesAny(hostname: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const pattern = p.trim().toLowerCase();
    if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1;
    return hostname === pattern;
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

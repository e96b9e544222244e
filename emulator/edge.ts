// The local stand-in for Cloudflare's edge: terminates TLS on loopback, asks every client for a certificate,
// verifies it against the zone's managed CA, fills `request.cf.tlsClientAuth` as Cloudflare documents it,
// applies API Shield's mTLS rule on associated hostnames, and hands the request to the readings Worker.
// @see ../shared/cloudflare-api/tls-client-auth.json (field formats) and docs/worker.md

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { startWorker, type AppleDeviceCheckConfig, type RunningWorker, type WorkerDispatch } from './worker-runner';

export type CertificateStatus = 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation';

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

/** `request.cf.tlsClientAuth` as the Workers runtime types it (flags are "1"/"0" strings). */
export interface TlsClientAuth {
  certPresented: '0' | '1';
  certVerified: string;
  certRevoked: '0' | '1';
  certIssuerDN: string;
  certSubjectDN: string;
  certIssuerDNRFC2253: string;
  certSubjectDNRFC2253: string;
  certIssuerDNLegacy: string;
  certSubjectDNLegacy: string;
  certSerial: string;
  certIssuerSerial: string;
  certSKI: string;
  certIssuerSKI: string;
  certFingerprintSHA1: string;
  certFingerprintSHA256: string;
  certNotBefore: string;
  certNotAfter: string;
  certRFC9440: string;
  certRFC9440TooLarge: boolean;
  certChainRFC9440: string;
  certChainRFC9440TooLarge: boolean;
}

/** What Cloudflare sends when no certificate was presented (or mTLS is off for the host). */
export const TLS_CLIENT_AUTH_PLACEHOLDER: Readonly<TlsClientAuth> = Object.freeze({
  certPresented: '0',
  certVerified: 'NONE',
  certRevoked: '0',
  certIssuerDN: '',
  certSubjectDN: '',
  certIssuerDNRFC2253: '',
  certSubjectDNRFC2253: '',
  certIssuerDNLegacy: '',
  certSubjectDNLegacy: '',
  certSerial: '',
  certIssuerSerial: '',
  certSKI: '',
  certIssuerSKI: '',
  certFingerprintSHA1: '',
  certFingerprintSHA256: '',
  certNotBefore: '',
  certNotAfter: '',
  certRFC9440: '',
  certRFC9440TooLarge: false,
  certChainRFC9440: '',
  certChainRFC9440TooLarge: false,
});

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

/** Cloudflare refuses larger bodies with 413 too (its limit is 100 MB; an emulator buffering that is silly). */
const MAX_EDGE_BODY_BYTES = 10 * 1024 * 1024;
const MAX_SNI_CONTEXTS = 64;
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

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      // `servername` (the SNI the client sent) is set on server sockets but missing from @types/node.
      const socket = req.socket as TLSSocket & { servername?: string | false };
      const hostHeader = req.headers.host ?? `${socket.servername || host}:${listenPort}`;
      if (!/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(hostHeader)) {
        req.resume();
        res.writeHead(400, { 'content-type': 'text/plain' }).end('error code: 400 (bad Host header)\n');
        return;
      }
      const hostname = hostOnly(hostHeader) || (socket.servername || '').toLowerCase();
      const auth = tlsClientAuthFor(socket, store);
      const path = req.url ?? '/';
      const log = (status: number, blocked: boolean) =>
        opts.onRequest?.({
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

/** The `tlsClientAuth` for a TLS connection: the certificates the client sent, judged against the store. */
export function tlsClientAuthFor(socket: TLSSocket, store: EdgeStore, now = new Date()): TlsClientAuth {
  return buildTlsClientAuth(presentedChain(socket), {
    zoneCaPem: store.zoneCaCertPem(),
    statusBySerial: (serial) => store.certificateStatusBySerial(serial),
    now,
  });
}

/** DER of the certificates the client sent, leaf first (empty when it sent none). */
export function presentedChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | Record<string, never>;
  while (cert && 'raw' in cert && cert.raw && chain.length < 10) {
    if (chain.some((c) => c.equals(cert.raw))) break; // a self-signed cert is its own issuerCertificate
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

interface JudgeOptions {
  zoneCaPem: string;
  statusBySerial: (serialUpperHex: string) => CertificateStatus | undefined;
  now: Date;
}

interface ParsedCert {
  der: Buffer;
  node: X509Certificate;
  peculiar: x509.X509Certificate;
}

const zoneCaCache = new Map<string, ParsedCert>();

function parse(der: Buffer): ParsedCert {
  return { der, node: new X509Certificate(der), peculiar: new x509.X509Certificate(Uint8Array.from(der)) };
}

function zoneCa(pem: string): ParsedCert {
  let ca = zoneCaCache.get(pem);
  if (!ca) {
    ca = parse(new X509Certificate(pem).raw);
    zoneCaCache.clear(); // one zone per store; a new PEM means the old one is gone
    zoneCaCache.set(pem, ca);
  }
  return ca;
}

/**
 * Fills `tlsClientAuth` from the presented chain (DER, leaf first), like Cloudflare: the chain is built from the
 * leaf through the presented intermediates to the zone CA, then every certificate's validity is checked; the
 * `certVerified` failure texts are OpenSSL's. Revocation is looked up only for certificates the zone CA signed.
 */
export function buildTlsClientAuth(presented: Buffer[], opts: JudgeOptions): TlsClientAuth {
  if (presented.length === 0) return { ...TLS_CLIENT_AUTH_PLACEHOLDER };
  const [leaf, ...intermediates] = presented.map(parse) as [ParsedCert, ...ParsedCert[]];
  const anchor = zoneCa(opts.zoneCaPem);

  const verdict = verifyChain(leaf, intermediates, anchor, opts.now);
  const verified = verdict.ok;
  const serial = leaf.node.serialNumber.toUpperCase();
  const status = verified ? lookupStatus(serial, opts.statusBySerial) : undefined;
  const issuer = verdict.issuer;

  const leafB64 = leaf.der.toString('base64');
  const leafTooLarge = leaf.der.length > 10 * 1024;
  const chainValue = intermediates.map((c) => `:${c.der.toString('base64')}:`).join(', ');
  const chainTooLarge = chainValue.length > 16 * 1024;

  return {
    certPresented: '1',
    certVerified: verified ? 'SUCCESS' : `FAILED:${verdict.error}`,
    certRevoked: status === 'revoked' ? '1' : '0',
    certIssuerDN: dn(leaf.peculiar.issuerName, ', '),
    certSubjectDN: dn(leaf.peculiar.subjectName, ', '),
    certIssuerDNRFC2253: dn(leaf.peculiar.issuerName, ','),
    certSubjectDNRFC2253: dn(leaf.peculiar.subjectName, ','),
    certIssuerDNLegacy: legacyDn(leaf.peculiar.issuerName),
    certSubjectDNLegacy: legacyDn(leaf.peculiar.subjectName),
    certSerial: serial,
    certIssuerSerial: issuer ? issuer.node.serialNumber.toUpperCase() : '',
    certSKI: ski(leaf),
    certIssuerSKI: issuer ? ski(issuer) : aki(leaf),
    certFingerprintSHA1: createHash('sha1').update(leaf.der).digest('hex'),
    certFingerprintSHA256: createHash('sha256').update(leaf.der).digest('hex'),
    // Node prints validity as OpenSSL does: "Dec 22 19:39:00 2018 GMT".
    certNotBefore: leaf.node.validFrom,
    certNotAfter: leaf.node.validTo,
    certRFC9440: leafTooLarge ? '' : `:${leafB64}:`,
    certRFC9440TooLarge: leafTooLarge,
    certChainRFC9440: chainTooLarge ? '' : chainValue,
    certChainRFC9440TooLarge: chainTooLarge,
  };
}

type Verdict = { ok: true; issuer: ParsedCert } | { ok: false; error: string; issuer?: ParsedCert };

function verifyChain(leaf: ParsedCert, intermediates: ParsedCert[], anchor: ParsedCert, now: Date): Verdict {
  const path: ParsedCert[] = [leaf];
  let current = leaf;
  for (;;) {
    if (issuedBy(current, anchor)) break;
    const next = intermediates.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!next) {
      const issuer = path[1];
      if (issuedBy(current, current)) {
        return {
          ok: false,
          issuer,
          error: path.length === 1 ? 'self signed certificate' : 'self signed certificate in certificate chain',
        };
      }
      // OpenSSL's wording differs by whether the client sent anything besides the leaf.
      return {
        ok: false,
        issuer,
        error: path.length === 1 ? 'unable to verify the first certificate' : 'unable to get local issuer certificate',
      };
    }
    if (!next.node.ca) return { ok: false, issuer: path[1] ?? next, error: 'invalid CA certificate' };
    path.push(next);
    current = next;
    if (path.length > 10) return { ok: false, error: 'certificate chain too long' };
  }
  // Validity from the anchor down, as OpenSSL's internal_verify reports the topmost problem first.
  for (const cert of [anchor, ...path.slice().reverse()]) {
    if (now < cert.peculiar.notBefore) return { ok: false, issuer: path[1] ?? anchor, error: 'certificate is not yet valid' };
    if (now > cert.peculiar.notAfter) return { ok: false, issuer: path[1] ?? anchor, error: 'certificate has expired' };
  }
  return { ok: true, issuer: path[1] ?? anchor };
}

function issuedBy(child: ParsedCert, parent: ParsedCert): boolean {
  try {
    return child.node.checkIssued(parent.node) && child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/** The store may key serials with or without DER's leading zero byte; try the forms a serial can take. */
function lookupStatus(
  serial: string,
  statusBySerial: (s: string) => CertificateStatus | undefined,
): CertificateStatus | undefined {
  const stripped = serial.replace(/^0+/, '') || '0';
  const even = stripped.length % 2 ? `0${stripped}` : stripped;
  for (const candidate of unique([serial, even, stripped, `00${even}`])) {
    const status = statusBySerial(candidate);
    if (status) return status;
  }
  return undefined;
}

function ski(cert: ParsedCert): string {
  const ext = cert.peculiar.getExtension(x509.SubjectKeyIdentifierExtension);
  return ext ? ext.keyId.toUpperCase() : '';
}

function aki(cert: ParsedCert): string {
  const ext = cert.peculiar.getExtension(x509.AuthorityKeyIdentifierExtension);
  return ext?.keyId ? ext.keyId.toUpperCase() : '';
}

// OpenSSL's short names where @peculiar/x509 uses others.
const OPENSSL_NAMES: Record<string, string> = { E: 'emailAddress', G: 'GN' };

function rdns(name: x509.Name): [string, string][][] {
  return name.toJSON().map((rdn) =>
    Object.entries(rdn).flatMap(([type, values]) => values.map((v): [string, string] => [OPENSSL_NAMES[type] ?? type, v])),
  );
}

/** RFC 2253: last RDN first; multi-valued RDNs joined with "+"; specials escaped. */
function dn(name: x509.Name, separator: string): string {
  return rdns(name)
    .reverse()
    .map((rdn) => rdn.map(([t, v]) => `${t}=${escapeRfc2253(v)}`).join('+'))
    .join(separator);
}

/** OpenSSL's X509_NAME_oneline: encoding order, "/"-prefixed, unescaped. */
function legacyDn(name: x509.Name): string {
  return rdns(name)
    .map((rdn) => rdn.map(([t, v]) => `/${t}=${v}`).join('+'))
    .join('');
}

function escapeRfc2253(value: string): string {
  const escaped = value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
  // Control characters as \XX, as OpenSSL's RFC 2253 output does.
  return [...escaped]
    .map((c) => (c.charCodeAt(0) < 0x20 ? `\\${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}` : c))
    .join('');
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

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

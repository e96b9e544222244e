import https from 'node:https';
import { isIP } from 'node:net';

/**
 * One request to a host, as a device would make it, to see whether the edge lets it through:
 * `GET /` over TLS with SNI and Host set to the hostname, optionally presenting a client certificate.
 *
 * Why `/` and not the devices' `/temps`: the readings Worker refuses `/temps` without a certificate
 * by itself (defence in depth), so a 403 there would not tell whether the edge's rule is in force.
 * Nothing at the origin guards `/`, so a refusal there comes from the edge.
 */
export const ENFORCEMENT_PROBE_PATH = '/';

export type ProbeOutcome = 'refused' | 'allowed' | 'unreachable';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** HTTP status when the request got an answer. */
  status: number | null;
  /** In words: "403 (error code: 1020)", "refused during the TLS handshake (…)", "connection refused". */
  how: string;
}

export interface ProbeOptions {
  /** Where to connect: the local edge (https://localhost:8443) or https://<hostname> for a real zone. */
  url: string;
  /** Sent as SNI and Host. */
  hostname: string;
  /** PEM that verifies the server's TLS certificate; omitted = the system's roots. */
  caPem?: string | null;
  /** A client certificate (and its key) to present. */
  client?: { certPem: string; keyPem: string };
  timeoutMs?: number;
}

/** TLS alerts the server sends when it refuses the client's certificate (or its absence). */
const HANDSHAKE_REFUSAL = /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/;
/** Our side could not trust the server: says nothing about the client-certificate rule. */
const SERVER_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function probeHost(opts: ProbeOptions): Promise<ProbeResult> {
  const target = new URL(opts.url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    let settled = false;
    let handshakeDone = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = https.request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 443,
        method: 'GET',
        path: ENFORCEMENT_PROBE_PATH,
        // SNI cannot carry an IP address (RFC 6066 §3).
        servername: isIP(opts.hostname) ? undefined : opts.hostname,
        headers: { host: opts.hostname, 'user-agent': 'certfleet-enforcement-check', accept: '*/*' },
        ca: opts.caPem ?? undefined,
        cert: opts.client?.certPem,
        key: opts.client?.keyPem,
        rejectUnauthorized: true,
        // A fresh connection each time: a resumed TLS session could carry another probe's certificate.
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 512) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8').trim().split('\n')[0]!.slice(0, 120);
          done({ outcome: status === 403 ? 'refused' : 'allowed', status, how: body ? `${status} (${body})` : String(status) });
        });
        res.on('error', () => done({ outcome: 'refused', status: res.statusCode ?? null, how: 'the connection was closed while answering' }));
      },
    );
    req.on('socket', (socket) => socket.once('secureConnect', () => (handshakeDone = true)));
    req.on('timeout', () => {
      req.destroy();
      done({ outcome: 'unreachable', status: null, how: `no answer within ${Math.round(timeoutMs / 1000)} s` });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (HANDSHAKE_REFUSAL.test(code)) {
        done({ outcome: 'refused', status: null, how: `refused during the TLS handshake (${code.replace(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/, '').toLowerCase().replaceAll('_', ' ')})` });
      } else if ((code === 'ECONNRESET' || /socket hang up/.test(error.message)) && handshakeDone) {
        // Under TLS 1.3 the server's verdict on a client certificate arrives after our side finished.
        done({ outcome: 'refused', status: null, how: 'the connection was closed right after the TLS handshake' });
      } else if (SERVER_TRUST.has(code)) {
        done({ outcome: 'unreachable', status: null, how: `the host's TLS certificate could not be verified (${code})` });
      } else {
        done({ outcome: 'unreachable', status: null, how: `${code || 'error'}: ${error.message}` });
      }
    });
    req.end();
  });
}

/**
 * A device's side of EST (RFC 7030) over mTLS: what `npm run device -- --est` and the tests do, and what
 * curl + openssl do in docs/est.md. Node only (node:https); no certfleet server code.
 */
import https from 'node:https';
import { certificatesFromPkcs7 } from '../pki/pkcs7';

export interface EstClientOptions {
  /** https://edge.example.com (the /.well-known/est/… paths are appended). */
  baseUrl: string;
  /** The TLS client certificate and key: the bootstrap one for simpleenroll, the device's own for simplereenroll. */
  certPem?: string;
  keyPem?: string;
  /** CA of the edge's TLS certificate (omit for the system roots). */
  caPem?: string;
  insecure?: boolean;
  /** Extra headers (e.g. a Host for the mTLS hostname). */
  headers?: Record<string, string>;
}

export interface EstResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type EstOperation = 'cacerts' | 'simpleenroll' | 'simplereenroll';

export function estRequest(
  opts: EstClientOptions,
  op: EstOperation | string,
  init: { csrPem?: string; body?: string; contentType?: string; basic?: { user: string; password: string } } = {},
): Promise<EstResponse> {
  const method = op === 'cacerts' ? 'GET' : 'POST';
  // RFC 7030 §4.2.1: base64 of the DER, no PEM armour.
  const body = init.body ?? (init.csrPem ? csrBase64(init.csrPem) : undefined);
  const headers: Record<string, string> = { ...opts.headers };
  if (method === 'POST') {
    headers['content-type'] = init.contentType ?? 'application/pkcs10';
    headers['content-transfer-encoding'] = 'base64';
  }
  if (init.basic) headers.authorization = `Basic ${Buffer.from(`${init.basic.user}:${init.basic.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${opts.baseUrl.replace(/\/+$/, '')}/.well-known/est/${op}`,
      {
        method,
        cert: opts.certPem,
        key: opts.keyPem,
        ca: opts.caPem,
        rejectUnauthorized: !opts.insecure,
        agent: false,
        headers,
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer from the EST server within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export function csrBase64(csrPem: string): string {
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END/.exec(csrPem);
  if (!m) throw new Error('not a PEM certificate request');
  return `${m[1]!.replace(/\s+/g, '').match(/.{1,64}/g)!.join('\n')}\n`;
}

/** The certificates of a 200 answer (base64 PKCS#7 certs-only) as PEM. */
export function certificatesOf(res: EstResponse): string[] {
  const type = String(res.headers['content-type'] ?? '');
  if (res.status !== 200 || !type.startsWith('application/pkcs7-mime')) {
    throw new Error(`expected 200 application/pkcs7-mime, got ${res.status} ${type}: ${res.body.trim().slice(0, 200)}`);
  }
  return certificatesFromPkcs7(res.body);
}

/**
 * Sends the request until it is answered: on 202 waits Retry-After (or `onPending`, which tests use to run the
 * certfleet job instead of waiting) and sends the same request again. Returns the final answer (200 or 4xx).
 */
export async function estUntilAnswered(
  send: () => Promise<EstResponse>,
  opts: { maxAttempts?: number; onPending?: (res: EstResponse, attempt: number) => Promise<void>; signal?: AbortSignal } = {},
): Promise<EstResponse> {
  const max = opts.maxAttempts ?? 1000;
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 202 || attempt >= max || opts.signal?.aborted) return res;
    if (opts.onPending) await opts.onPending(res, attempt);
    else await new Promise((r) => setTimeout(r, retryAfterMs(res)));
  }
}

export function retryAfterMs(res: EstResponse): number {
  const seconds = Number(res.headers['retry-after']);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
}

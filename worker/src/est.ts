// EST (RFC 7030) at the edge: devices enroll and renew their own client certificates through this Worker,
// behind the same mTLS rule as /temps. certfleet issues them (lib/est/sync.ts pulls /export/est/requests,
// issues through Cloudflare, and posts the certificate back). Flow and curl/openssl commands: docs/est.md.
//
//   GET  /.well-known/est/cacerts          the zone CA (EST_CA_CERTS), base64 PKCS#7 certs-only
//   POST /.well-known/est/simpleenroll     TLS client certificate (e.g. the bootstrap one) AND an enrollment
//                                          token as HTTP Basic "<device name>:<token>" (RFC 7030 §3.2.3)
//   POST /.well-known/est/simplereenroll   the device's own current certificate; the CSR keeps its subject
//
// Enroll answers: 202 + Retry-After while certfleet has not issued (send the same request again), 200 with
// application/pkcs7-mime; smime-type=certs-only (base64) once it has, 4xx text/plain with the reason otherwise.

import { base64Encode, buildCertsOnlyPkcs7, certificatesFromPem, certsOnlyBase64 } from '../../lib/pki/pkcs7';
import type { Env } from './env';
import { certificateIdentity } from './identity';
import { error, json, readBodyLimited, safeEqual } from './http';
import { certificateSubjectHex, checkCsr, decodeBase64, hex } from './est-csr';
import type { EstAnswer, EstKind, EstRequestPage, EstRequestRow, EstStatus, EstTokenSync } from './est-api';

export const EST_PREFIX = '/.well-known/est';
/** A CSR is a few hundred bytes (EC) to ~1.5 KB (RSA 4096 with SANs); 16 KB leaves room and no more. */
const MAX_CSR_BYTES = 16 * 1024;
const DEFAULT_RETRY_AFTER_SECONDS = 30;
const MAX_PAGE = 500;
const PKCS7 = 'application/pkcs7-mime; smime-type=certs-only';

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function pkcs7(body: string): Response {
  return new Response(body, {
    status: 200,
    headers: { 'content-type': PKCS7, 'content-transfer-encoding': 'base64', 'cache-control': 'no-store' },
  });
}

function estStore(env: Env) {
  return env.EST.get(env.EST.idFromName('est'));
}

export async function handleEst(request: Request, env: Env, path: string): Promise<Response> {
  const op = path.slice(EST_PREFIX.length + 1);
  switch (op) {
    case 'cacerts':
      if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, `${request.method} is not allowed on cacerts`, { allow: 'GET' });
      return caCerts(env);
    case 'simpleenroll':
    case 'simplereenroll':
      if (request.method !== 'POST') return text(405, `${op} takes POST`, { allow: 'POST' });
      return enroll(request, env, op === 'simpleenroll' ? 'enroll' : 'reenroll');
    default:
      return text(404, `unknown EST operation "${op}": this server offers cacerts, simpleenroll and simplereenroll`);
  }
}

function caCerts(env: Env): Response {
  const pem = env.EST_CA_CERTS ?? '';
  if (certificatesFromPem(pem).length === 0) return text(503, 'EST is not configured: set the EST_CA_CERTS variable to the zone CA (PEM)');
  return pkcs7(certsOnlyBase64(pem));
}

async function enroll(request: Request, env: Env, kind: EstKind): Promise<Response> {
  const who = certificateIdentity(request.cf);
  if (!who.ok) return text(403, who.error);

  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/pkcs10') {
    return text(415, `the body must be a PKCS#10 CSR sent as "Content-Type: application/pkcs10" (got ${type ? `"${type}"` : 'none'})`);
  }

  let tokenHash: string | undefined;
  let username: string | undefined;
  if (kind === 'enroll') {
    const basic = parseBasic(request.headers.get('authorization'));
    if (!basic) {
      return text(401, 'simpleenroll needs an enrollment token as HTTP Basic credentials: "<device name>:<token>"', {
        'www-authenticate': 'Basic realm="certfleet-est", charset="UTF-8"',
      });
    }
    username = basic.user;
    tokenHash = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(basic.password))));
  }

  const body = await readBodyLimited(request, MAX_CSR_BYTES);
  if (!body.ok) return text(body.response.status, body.response.status === 413 ? `the CSR is larger than ${MAX_CSR_BYTES} bytes` : 'the body is not valid UTF-8 base64');
  const checked = await checkCsr(body.text);
  if (!checked.ok) return text(400, checked.error);
  const csr = checked.csr;

  if (kind === 'reenroll') {
    const subject = clientSubject(request);
    if (!subject) return text(400, 'the client certificate could not be read to compare subjects (certRFC9440 is missing)');
    if (subject.hex !== csr.subjectHex) {
      return text(400, `simplereenroll must keep the certificate's subject (RFC 7030 §4.2.2): the certificate has "${subject.text}", the CSR "${csr.subject}"`);
    }
  }

  // The same request sent again (after a 202) has the same id, so it finds its row.
  const credential = kind === 'enroll' ? tokenHash! : who.identity.fingerprint;
  const id = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${kind}|${credential}|${csr.sha256}`)))).slice(0, 32);
  const result = await estStore(env).submit(
    { kind, clientFingerprint: who.identity.fingerprint, clientSerial: who.identity.serial, csrPem: csr.pem, csrSha256: csr.sha256, tokenHash, username },
    id,
    Date.now(),
  );
  if (!result.ok) {
    return text(result.status, result.error, result.status === 401 ? { 'www-authenticate': 'Basic realm="certfleet-est", charset="UTF-8"' } : {});
  }
  return answer(result.request, env);
}

function answer(req: EstRequestRow, env: Env): Response {
  if (req.status === 'issued' && req.certificatePem) return pkcs7(certsOnlyBase64(req.certificatePem));
  if (req.status === 'rejected') return text(403, `certfleet refused this request: ${req.error ?? 'no reason given'}`);
  const retry = Number(env.EST_RETRY_AFTER_SECONDS) > 0 ? String(Math.floor(Number(env.EST_RETRY_AFTER_SECONDS))) : String(DEFAULT_RETRY_AFTER_SECONDS);
  return text(202, `accepted (request ${req.id}); certfleet has not issued the certificate yet: send the same request again after ${retry} s`, {
    'retry-after': retry,
  });
}

function parseBasic(header: string | null): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64(m[1]!));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The subject of the certificate the client presented, from `certRFC9440` (":<base64 DER>:"). */
function clientSubject(request: Request): { hex: string; text: string } | undefined {
  const raw = String(request.cf?.tlsClientAuth?.certRFC9440 ?? '');
  const m = /^:([A-Za-z0-9+/=]+):$/.exec(raw);
  if (!m) return undefined;
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = decodeBase64(m[1]!);
  } catch {
    return undefined;
  }
  return certificateSubjectHex(der);
}

// ── certfleet's side: /export/est/* with the EXPORT_TOKEN bearer ──────────────────────────────────────────

export async function handleEstExport(request: Request, env: Env, path: string): Promise<Response> {
  const challenge = { 'www-authenticate': 'Bearer realm="certfleet-export"' };
  if (!env.EXPORT_TOKEN) return error(401, 'the export API is disabled: set the EXPORT_TOKEN secret', challenge);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  if (!match || !(await safeEqual(match[1]!, env.EXPORT_TOKEN))) {
    return error(401, 'a valid "Authorization: Bearer <EXPORT_TOKEN>" header is required', challenge);
  }
  const store = estStore(env);
  if (path === '/export/est/tokens') {
    if (request.method !== 'POST') return error(405, 'POST the tokens', { allow: 'POST' });
    const body = await readJson(request);
    if (!body.ok) return body.response;
    const tokens = (body.value as { tokens?: unknown }).tokens;
    if (!Array.isArray(tokens) || !tokens.every(isTokenSync)) {
      return error(400, 'expected {"tokens": [{hash, deviceId, deviceName, expiresAtMs, usesLeft, revoked}]}');
    }
    return json({ synced: await store.syncTokens(tokens) });
  }
  if (path === '/export/est/requests') {
    if (request.method !== 'GET') return error(405, 'GET the requests', { allow: 'GET' });
    const params = new URL(request.url).searchParams;
    const status = (params.get('status') ?? 'pending') as EstStatus;
    if (!['pending', 'issued', 'rejected'].includes(status)) return error(400, '"status" must be pending, issued or rejected');
    const limit = Math.min(MAX_PAGE, Math.max(1, Number(params.get('limit') ?? 100) || 100));
    const after = params.get('after') ?? '';
    const requests = await store.list(status, after, limit + 1);
    const page = requests.slice(0, limit);
    const last = page.at(-1);
    const hasMore = requests.length > limit;
    const body: EstRequestPage = { requests: page, hasMore, nextCursor: hasMore && last ? `${Date.parse(last.createdAt)}/${last.id}` : null };
    return json(body);
  }
  const m = /^\/export\/est\/requests\/([0-9a-f]{32})$/.exec(path);
  if (m) {
    if (request.method === 'GET') {
      const row = await store.get(m[1]!);
      return row ? json(row) : error(404, `no EST request ${m[1]}`);
    }
    if (request.method !== 'POST') return error(405, 'GET or POST an answer', { allow: 'GET, POST' });
    const body = await readJson(request);
    if (!body.ok) return body.response;
    const { certificatePem, error: reason } = body.value as { certificatePem?: unknown; error?: unknown };
    let answer: EstAnswer;
    if (typeof certificatePem === 'string' && certificatesFromPem(certificatePem).length > 0) {
      // Proves it encodes before a device is told so.
      base64Encode(buildCertsOnlyPkcs7(certificatesFromPem(certificatePem)));
      answer = { certificatePem };
    } else if (typeof reason === 'string' && reason.trim()) {
      answer = { error: reason.trim().slice(0, 500) };
    } else {
      return error(400, 'expected {"certificatePem": "<PEM>"} or {"error": "<reason>"}');
    }
    const result = await store.resolve(m[1]!, answer, Date.now());
    return result.ok ? json(result.request) : error(result.status, result.error);
  }
  return error(404, 'unknown EST export endpoint; try /export/est/tokens or /export/est/requests');
}

async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const body = await readBodyLimited(request, 1024 * 1024);
  if (!body.ok) return body;
  try {
    const value: unknown = JSON.parse(body.text);
    if (typeof value !== 'object' || value === null) return { ok: false, response: error(400, 'body must be a JSON object') };
    return { ok: true, value };
  } catch {
    return { ok: false, response: error(400, 'body is not valid JSON') };
  }
}

function isTokenSync(t: unknown): t is EstTokenSync {
  const v = t as EstTokenSync;
  return (
    typeof v === 'object' &&
    v !== null &&
    /^[0-9a-f]{64}$/.test(String(v.hash)) &&
    typeof v.deviceId === 'string' &&
    typeof v.deviceName === 'string' &&
    v.deviceName.length > 0 &&
    Number.isSafeInteger(v.expiresAtMs) &&
    Number.isSafeInteger(v.usesLeft) &&
    typeof v.revoked === 'boolean'
  );
}

// The dashboard's read API. Authenticated with a bearer token held as the EXPORT_TOKEN secret; the dashboard
// pulls incrementally (readings after a seq cursor) and asks for bucketed aggregates for its charts.

import type { Env } from './env';
import { error, json, safeEqual } from './http';
import { normaliseHex } from './identity';
import { parseDateTime } from './readings';
import { REGISTRY_SHARDS, registryShardName, type CertificateEntry } from './registry';

export const MAX_READINGS_PAGE = 5000;
export const DEFAULT_READINGS_PAGE = 1000;
export const MAX_CERTIFICATES_PAGE = 1000;
export const MAX_BUCKETS = 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export async function handleExport(request: Request, env: Env, path: string): Promise<Response> {
  const challenge = { 'www-authenticate': 'Bearer realm="certfleet-export"' };
  if (!env.EXPORT_TOKEN) {
    // Fail closed: an unset secret must not mean "no password".
    return error(401, 'the export API is disabled: set the EXPORT_TOKEN secret', challenge);
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  if (!match || !(await safeEqual(match[1]!, env.EXPORT_TOKEN))) {
    return error(401, 'a valid "Authorization: Bearer <EXPORT_TOKEN>" header is required', challenge);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return error(405, `${request.method} is not allowed here`, { allow: 'GET, HEAD' });
  }
  const params = new URL(request.url).searchParams;
  switch (path) {
    case '/export/certificates':
      return listCertificates(env, params);
    case '/export/readings':
      return readingsSince(env, params);
    case '/export/buckets':
      return buckets(env, params);
    default:
      return error(404, 'unknown export endpoint; try /export/certificates, /export/readings or /export/buckets');
  }
}

/** GET /export/certificates?after=<fingerprint>&limit=<≤1000>: every certificate that posted, by fingerprint. */
async function listCertificates(env: Env, params: URLSearchParams): Promise<Response> {
  const after = normaliseHex(params.get('after') ?? '');
  const limit = intParam(params, 'limit', MAX_CERTIFICATES_PAGE, 1, MAX_CERTIFICATES_PAGE);
  if (typeof limit === 'string') return error(400, limit);

  // Shards hold disjoint fingerprint prefixes, so their lists concatenated in shard order are globally sorted.
  const shards = Array.from({ length: REGISTRY_SHARDS }, (_, i) => i.toString(16));
  const lists = await Promise.all(
    shards.map((prefix) => registry(env, prefix).list(after, limit + 1)),
  );
  const all: CertificateEntry[] = lists.flat();
  const page = all.slice(0, limit);
  const hasMore = all.length > limit;
  return json({ certificates: page, nextCursor: hasMore ? page.at(-1)!.fingerprint : null, hasMore });
}

/** GET /export/readings?fingerprint=…&after=<seq>&limit=<≤5000>: oldest first; resume with after=nextCursor. */
async function readingsSince(env: Env, params: URLSearchParams): Promise<Response> {
  const fp = fingerprintParam(params);
  if (!fp.ok) return fp.response;
  const after = intParam(params, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof after === 'string') return error(400, after);
  const limit = intParam(params, 'limit', DEFAULT_READINGS_PAGE, 1, MAX_READINGS_PAGE);
  if (typeof limit === 'string') return error(400, limit);

  const known = await registry(env, fp.value).get(fp.value);
  if (!known) return error(404, `no readings from a certificate with fingerprint ${fp.value}`);
  const { readings, hasMore } = await device(env, fp.value).since(after, limit);
  return json({
    fingerprint: fp.value,
    readings,
    nextCursor: readings.length ? readings.at(-1)!.seq : after,
    hasMore,
  });
}

/** GET /export/buckets?fingerprint=…&from=…&to=…&buckets=N: min/max/avg/count per bucket of the device's time. */
async function buckets(env: Env, params: URLSearchParams): Promise<Response> {
  const fp = fingerprintParam(params);
  if (!fp.ok) return fp.response;
  const from = timeParam(params, 'from');
  if (typeof from === 'string') return error(400, from);
  const to = timeParam(params, 'to');
  if (typeof to === 'string') return error(400, to);
  if (to <= from) return error(400, '"to" must be after "from"');
  const n = intParam(params, 'buckets', 60, 1, MAX_BUCKETS);
  if (typeof n === 'string') return error(400, n);

  const known = await registry(env, fp.value).get(fp.value);
  if (!known) return error(404, `no readings from a certificate with fingerprint ${fp.value}`);
  const result = await device(env, fp.value).buckets(from, to, Math.min(n, to - from));
  return json({
    fingerprint: fp.value,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    buckets: result,
  });
}

function registry(env: Env, fingerprintOrPrefix: string) {
  return env.REGISTRY.get(env.REGISTRY.idFromName(registryShardName(fingerprintOrPrefix)));
}

function device(env: Env, fingerprint: string) {
  return env.READINGS.get(env.READINGS.idFromName(fingerprint));
}

function fingerprintParam(params: URLSearchParams): { ok: true; value: string } | { ok: false; response: Response } {
  const value = normaliseHex(params.get('fingerprint') ?? '');
  if (!SHA256_HEX.test(value)) {
    return { ok: false, response: error(400, '"fingerprint" must be the certificate\'s SHA-256 fingerprint (64 hex)') };
  }
  return { ok: true, value };
}

/** The value, or an error message. */
function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | string {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return `"${name}" must be a whole number`;
  const n = Number(raw);
  if (n < min || n > max) return `"${name}" must be between ${min} and ${max}`;
  return n;
}

/** ISO 8601 or milliseconds since the epoch; the value in ms, or an error message. */
function timeParam(params: URLSearchParams, name: string): number | string {
  // An unencoded "+02:00" offset arrives as " 02:00" (form encoding turns + into a space).
  const raw = params.get(name)?.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (!raw) return `"${name}" is required (ISO 8601 or milliseconds since the epoch)`;
  const ms = /^\d+$/.test(raw) ? Number(raw) : parseDateTime(raw);
  if (ms === undefined || !Number.isSafeInteger(ms)) return `"${name}" is not a date-time: ${JSON.stringify(raw)}`;
  return ms;
}

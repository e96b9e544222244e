// certfleet's readings Worker: sensors POST temperatures over mTLS, the dashboard pulls them through /export.
// Design and storage choice: docs/worker.md and the comment at the top of device-readings.ts.

import { verifyDeviceCheck } from './devicecheck';
import type { Env } from './env';
import { error, json, readBodyLimited } from './http';
import { handleExport } from './export-api';
import { EST_PREFIX, handleEst, handleEstExport } from './est';
import { certificateIdentity, type CertificateIdentity } from './identity';
import { MAX_BODY_BYTES, parseReadingBody, formatTime } from './readings';
import { registryShardName } from './registry';

export { DeviceReadings } from './device-readings';
export { CertificateRegistry } from './registry';
export { EstStore } from './est-store';
export type { Env } from './env';

/** GET /temps answers with this many readings, as the seed's Worker did. (Not exported: a Worker's main module
 * may export only handlers and classes; workerd refuses to start otherwise.) */
const RECENT_READINGS = 5;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
    try {
      if (path === '/temps') return await handleTemps(request, env);
      if (path.startsWith(`${EST_PREFIX}/`)) return await handleEst(request, env, path);
      if (path.startsWith('/export/est/')) return await handleEstExport(request, env, path);
      if (path === '/export' || path.startsWith('/export/')) return await handleExport(request, env, path);
      return error(404, 'not found: sensors use /temps and /.well-known/est/*, the dashboard uses /export/*');
    } catch (err) {
      console.error(`${request.method} ${path} failed:`, err instanceof Error ? (err.stack ?? err.message) : err);
      return error(500, 'internal error');
    }
  },
};

async function handleTemps(request: Request, env: Env): Promise<Response> {
  if (request.method !== 'POST' && request.method !== 'GET' && request.method !== 'HEAD') {
    return error(405, `${request.method} is not allowed on /temps`, { allow: 'GET, HEAD, POST' });
  }
  const who = certificateIdentity(request.cf);
  if (!who.ok) return error(403, who.error);

  // The iOS app path (seed 003): a DeviceCheck token, when sent, must be genuine as well.
  if (request.headers.has('X-Apple-Device-Token')) {
    const check = await verifyDeviceCheck(request, env);
    if (!check.ok) return error(check.status, check.error, check.status === 503 ? { 'retry-after': '5' } : {});
  }

  return request.method === 'POST' ? addReading(request, env, who.identity) : recentReadings(env, who.identity);
}

async function addReading(request: Request, env: Env, identity: CertificateIdentity): Promise<Response> {
  const body = await readBodyLimited(request, MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const parsed = parseReadingBody(body.text, Date.now(), { maxAgeMs: maxAgeMs(env) });
  if (!parsed.ok) return error(400, parsed.error);
  const { temperature, timeMs } = parsed.reading;

  const device = env.READINGS.get(env.READINGS.idFromName(identity.fingerprint));
  const stored = await device.append(identity, temperature, timeMs);

  const registry = env.REGISTRY.get(env.REGISTRY.idFromName(registryShardName(identity.fingerprint)));
  try {
    await registry.record({ identity, seenAtMs: stored.receivedAtMs, count: stored.count, lastSeq: stored.seq });
  } catch (err) {
    // The reading is stored; the registry row catches up on this certificate's next post, because each update
    // carries absolute totals. Failing the request would make the sensor resend a reading we already have.
    console.error(`registry update for ${identity.fingerprint} failed:`, String(err));
  }
  return json({ seq: stored.seq, temperature, time: formatTime(timeMs) }, 201);
}

async function recentReadings(env: Env, identity: CertificateIdentity): Promise<Response> {
  const device = env.READINGS.get(env.READINGS.idFromName(identity.fingerprint));
  const readings = await device.recent(RECENT_READINGS);
  // The seed's shape: [{temperature, time}], newest first.
  return json(readings.map(({ temperature, time }) => ({ temperature, time })));
}

/** READINGS_MAX_AGE_DAYS (a wrangler var), in ms; unset or not a positive number: no age bound beyond 2000-01-01. */
function maxAgeMs(env: Env): number | undefined {
  const days = Number(env.READINGS_MAX_AGE_DAYS);
  return env.READINGS_MAX_AGE_DAYS && Number.isFinite(days) && days > 0 ? days * 86_400_000 : undefined;
}

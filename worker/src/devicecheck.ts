// Apple DeviceCheck (seed 003): an iOS app sends a short-lived token minted by Apple in `X-Apple-Device-Token`;
// the Worker asks Apple whether it is genuine, authenticating with an ES256 JWT signed by the team's .p8 key.
// @see https://developer.apple.com/documentation/devicecheck/accessing-and-modifying-per-device-data

export const APPLE_PRODUCTION_BASE_URL = 'https://api.devicecheck.apple.com';
export const APPLE_DEVELOPMENT_BASE_URL = 'https://api.development.devicecheck.apple.com';

export interface DeviceCheckEnv {
  APPLE_JWT_PRIVATE_KEY?: string;
  APPLE_JWT_KID?: string;
  APPLE_JWT_ISS?: string;
  APPLE_DEVICECHECK_BASE_URL?: string;
  APPLE_DEVICECHECK_DEVELOPMENT_BASE_URL?: string;
}

export type DeviceCheckResult =
  | { ok: true }
  /** status 401: the token (or our configuration) was refused; 503: Apple could not be asked, try again. */
  | { ok: false; status: 401 | 503; error: string };

/** Apple accepts a JWT for up to an hour; reusing one for 30 minutes saves a signature per request. */
const JWT_REUSE_MS = 30 * 60 * 1000;
const APPLE_TIMEOUT_MS = 5_000;

let cachedKey: { pem: string; key: Promise<CryptoKey> } | undefined;
let cachedJwt: { id: string; token: string; expiresAt: number } | undefined;

/** Verifies the request's `X-Apple-Device-Token` with Apple; call only when the header is present. */
export async function verifyDeviceCheck(request: Request, env: DeviceCheckEnv): Promise<DeviceCheckResult> {
  const deviceToken = request.headers.get('X-Apple-Device-Token')?.trim();
  if (!deviceToken) return { ok: false, status: 401, error: 'X-Apple-Device-Token is empty' };
  if (!env.APPLE_JWT_PRIVATE_KEY || !env.APPLE_JWT_KID || !env.APPLE_JWT_ISS) {
    console.error('DeviceCheck: APPLE_JWT_PRIVATE_KEY, APPLE_JWT_KID and APPLE_JWT_ISS must all be set');
    return { ok: false, status: 401, error: 'DeviceCheck is not configured on this server' };
  }
  const development = request.headers.get('X-Apple-Device-Development')?.trim().toLowerCase() === 'true';
  const base = development
    ? env.APPLE_DEVICECHECK_DEVELOPMENT_BASE_URL || APPLE_DEVELOPMENT_BASE_URL
    : env.APPLE_DEVICECHECK_BASE_URL || APPLE_PRODUCTION_BASE_URL;

  let jwt: string;
  try {
    jwt = await appleJwt(env.APPLE_JWT_PRIVATE_KEY, env.APPLE_JWT_KID, env.APPLE_JWT_ISS);
  } catch (err) {
    console.error('DeviceCheck: cannot sign the JWT with APPLE_JWT_PRIVATE_KEY:', String(err));
    return { ok: false, status: 401, error: 'DeviceCheck is not configured on this server' };
  }

  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/+$/, '')}/v1/validate_device_token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        device_token: deviceToken,
        transaction_id: crypto.randomUUID(),
        timestamp: Date.now(),
      }),
      signal: AbortSignal.timeout(APPLE_TIMEOUT_MS),
    });
  } catch (err) {
    console.error('DeviceCheck: Apple did not answer:', String(err));
    return { ok: false, status: 503, error: 'DeviceCheck is unavailable, try again later' };
  }
  // Apple answers 200 with an empty body for a genuine token and 4xx with a short reason otherwise.
  const reason = (await response.text()).slice(0, 200);
  if (response.status === 200) return { ok: true };
  if (response.status >= 500) {
    console.error(`DeviceCheck: Apple answered ${response.status}: ${reason}`);
    return { ok: false, status: 503, error: 'DeviceCheck is unavailable, try again later' };
  }
  if (response.status === 401 || response.status === 403) {
    // Apple refused *our* JWT: a configuration problem, not the device's.
    console.error(`DeviceCheck: Apple refused the JWT (${response.status}): ${reason}`);
  }
  return { ok: false, status: 401, error: 'the Apple DeviceCheck token was not accepted' };
}

/** An ES256 JWT `{alg, kid}.{iss, iat}` as Apple's DeviceCheck API wants it. */
export async function appleJwt(privateKeyPem: string, kid: string, iss: string, nowMs = Date.now()): Promise<string> {
  const id = `${kid}\n${iss}\n${privateKeyPem}`;
  if (cachedJwt && cachedJwt.id === id && cachedJwt.expiresAt > nowMs) return cachedJwt.token;

  const key = await importP8(privateKeyPem);
  const header = base64url(JSON.stringify({ alg: 'ES256', kid }));
  const payload = base64url(JSON.stringify({ iss, iat: Math.floor(nowMs / 1000) }));
  const input = `${header}.${payload}`;
  // WebCrypto's ECDSA signature is already r||s (IEEE P1363), the form JWS wants; no DER unwrapping needed.
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  const token = `${input}.${base64url(new Uint8Array(signature))}`;
  cachedJwt = { id, token, expiresAt: nowMs + JWT_REUSE_MS };
  return token;
}

function importP8(pem: string): Promise<CryptoKey> {
  if (cachedKey?.pem === pem) return cachedKey.key;
  // `wrangler secret put` from a .env line may keep "\n" escapes; an AuthKey_XXXX.p8 is PKCS#8 PEM.
  const b64 = pem
    .replace(/\\n/g, '\n')
    .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '')
    .replace(/\s+/g, '');
  const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const key = crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  cachedKey = { pem, key };
  key.catch(() => {
    if (cachedKey?.key === key) cachedKey = undefined;
  });
  return key;
}

function base64url(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { isSigningSecret, SECRET_PREFIX } from './webhook-signature-format';

/*
 * Webhook signatures as the Standard Webhooks specification defines them, so receivers can use its
 * libraries or the dozen lines in docs/alerts.md:
 *
 *   webhook-id:        the delivery's id, the same on every retry (receivers drop ids they have seen)
 *   webhook-timestamp: seconds since the epoch when this attempt was sent
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
 *
 * where key is the base64-decoded part of the secret after "whsec_". A receiver refuses a timestamp more
 * than five minutes from its clock (the replay window) and an id it has already processed.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */

export { generateSigningSecret, isSigningSecret } from './webhook-signature-format';
export const REPLAY_WINDOW_SECONDS = 5 * 60;

function keyOf(secret: string): Buffer {
  if (!isSigningSecret(secret)) throw new Error('A signing secret is "whsec_" followed by 16–128 bytes in base64.');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(secret: string, id: string, body: string, now: Date = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

export type VerifyResult = { ok: true; id: string } | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'outside-window' | 'bad-signature' };

/** A receiver's check (headers lower-case): signature over the raw body, and the timestamp within the window. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { now?: Date; toleranceSeconds?: number } = {},
): VerifyResult {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing-headers' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? REPLAY_WINDOW_SECONDS)) return { ok: false, reason: 'outside-window' };
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body));
  const match = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, id } : { ok: false, reason: 'bad-signature' };
}

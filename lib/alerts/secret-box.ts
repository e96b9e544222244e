import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * Channel secrets at rest (SMTP passwords, webhook URLs and signing secrets): AES-256-GCM under a key
 * derived (HKDF-SHA256) from CERTFLEET_SECRETS_KEY, or NEXTAUTH_SECRET when that is not set. Every app
 * replica and job worker needs the same value (docs/deploy.md). A sealed value that no longer opens (the
 * key changed) is reported as such, and the ADMIN enters the secret again; it is never shown.
 */

const VERSION = 'v1';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

function key(): Buffer {
  const material = process.env.CERTFLEET_SECRETS_KEY || process.env.NEXTAUTH_SECRET;
  if (!material) throw new SecretBoxError('Neither CERTFLEET_SECRETS_KEY nor NEXTAUTH_SECRET is set: channel secrets cannot be sealed or opened.');
  return Buffer.from(hkdfSync('sha256', material, 'certfleet', 'alert channel secrets', 32));
}

export function seal(value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function open<T>(sealed: string): T {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || !body) throw new SecretBoxError('The channel secret is in an unknown format: enter it again.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as T;
  } catch {
    throw new SecretBoxError('The channel secret cannot be opened (CERTFLEET_SECRETS_KEY or NEXTAUTH_SECRET changed?): enter it again.');
  }
}

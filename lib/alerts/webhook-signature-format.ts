/*
 * The shape of a Standard Webhooks signing secret ("whsec_" + base64 bytes), browser-safe: the channel
 * form generates one in the browser, so the secret is made where the ADMIN copies it from and the
 * server never has to show it.
 */

export const SECRET_PREFIX = 'whsec_';

function decodedLength(base64: string): number | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return null;
  return (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
}

export function isSigningSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const n = decodedLength(secret.slice(SECRET_PREFIX.length));
  return n !== null && n >= 16 && n <= 128;
}

/** 32 random bytes from the Web Crypto API (browser and Node alike). */
export function generateSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return SECRET_PREFIX + btoa(String.fromCharCode(...bytes));
}

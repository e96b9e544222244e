// Browser-safe: WebCrypto from globalThis (Node 20 and every current browser have it), no node: imports.
// reflect-metadata must load before @peculiar/x509 touches its ASN.1 schema decorators.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

function getWebCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) {
    throw new Error('WebCrypto (globalThis.crypto.subtle) is not available in this runtime');
  }
  return c;
}

export const webcrypto: Crypto = getWebCrypto();
x509.cryptoProvider.set(webcrypto);

export { x509 };

export async function sha256Hex(data: BufferSource): Promise<string> {
  return bytesToHex(new Uint8Array(await webcrypto.subtle.digest('SHA-256', data)));
}

export function bytesToHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const b of view) out += b.toString(16).padStart(2, '0');
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not an even-length hex string: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

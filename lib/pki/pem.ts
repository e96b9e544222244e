import { PkiError } from './errors';

export interface PemBlock {
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

// Labels accept letters, digits and spaces ("CERTIFICATE REQUEST", "EC PRIVATE KEY").
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const clean = b64.replace(/[\s\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new PkiError('MALFORMED', 'The PEM body is not valid base64');
  }
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let bin = '';
  // Chunked so large inputs don't overflow the argument limit of String.fromCharCode.
  for (let i = 0; i < view.length; i += 0x8000) {
    bin += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * Normalises text the way people paste it: CRLF or CR line endings, and the literal two-character
 * "\n" sequences left behind when a PEM was copied out of a JSON document (seed 001 builds its
 * request bodies that way).
 */
export function normalizePemText(text: string): string {
  let t = text.replace(/^\uFEFF/, '');
  if (!t.includes('\n') && t.includes('\\n')) t = t.replace(/\\r\\n|\\n/g, '\n');
  return t.replace(/\r\n?/g, '\n').trim();
}

export function decodePemBlocks(text: string): PemBlock[] {
  const t = normalizePemText(text);
  const blocks: PemBlock[] = [];
  for (const m of t.matchAll(PEM_BLOCK)) {
    // RFC 7468 allows explanatory headers (Proc-Type etc.) before a blank line; skip them.
    const body = m[2].includes(':') ? m[2].split(/\n\s*\n/).pop() ?? '' : m[2];
    blocks.push({ label: m[1], der: base64ToBytes(body) });
  }
  return blocks;
}

/** PEM with \n line endings, 64-character lines and a trailing newline (what openssl writes). */
export function encodePem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = bytesToBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function toCrlf(pem: string): string {
  return pem.replace(/\r?\n/g, '\r\n');
}

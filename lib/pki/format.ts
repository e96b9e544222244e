/**
 * certfleet's identity formats (docs/architecture.md → "Identity and formats"):
 * serial = uppercase hex, no separators, as `openssl x509 -noout -serial` prints it;
 * SKI and SHA-256 fingerprint = lowercase hex, no separators, as Cloudflare returns `ski` and
 * `fingerprint_sha256`. People paste these with colons, spaces or in any case (openssl's
 * `-fingerprint` prints `AB:CD:…`, browsers print `ab cd …`), so every input goes through here.
 */
import { PkiError } from './errors';

const SEPARATORS = /[\s:-]/g;

function stripHex(input: string): string {
  let s = input.trim();
  // "serial=…" / "SHA256 Fingerprint=…" as copied from openssl output.
  const eq = s.lastIndexOf('=');
  if (eq >= 0 && /^[A-Za-z0-9 ]+$/.test(s.slice(0, eq))) s = s.slice(eq + 1);
  s = s.replace(SEPARATORS, '');
  if (/^0x/i.test(s)) s = s.slice(2);
  return s;
}

function assertHex(s: string, what: string, original: string): void {
  if (s.length === 0 || !/^[0-9a-fA-F]+$/.test(s)) {
    throw new PkiError('BAD_INPUT', `"${original}" is not a hexadecimal ${what}`);
  }
}

/**
 * Certificate serial → uppercase hex without separators, with the leading zero bytes DER adds to
 * keep a serial positive dropped and an even number of digits (so it equals openssl's `serial=`).
 */
export function normalizeSerial(input: string): string {
  let s = stripHex(input);
  assertHex(s, 'serial number', input);
  s = s.toUpperCase();
  if (s.length % 2 === 1) s = `0${s}`;
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}

/** A serial as older Cloudflare responses print it (seed 001: decimal) → certfleet's hex form. */
export function decimalSerialToHex(decimal: string): string {
  const d = decimal.trim();
  if (!/^[0-9]+$/.test(d)) throw new PkiError('BAD_INPUT', `"${decimal}" is not a decimal serial number`);
  return normalizeSerial(BigInt(d).toString(16));
}

/** Subject/authority key identifier → lowercase hex without separators. */
export function normalizeSki(input: string): string {
  const s = stripHex(input);
  assertHex(s, 'key identifier', input);
  if (s.length % 2 === 1) throw new PkiError('BAD_INPUT', `"${input}" has an odd number of hex digits`);
  return s.toLowerCase();
}

/** SHA-256 fingerprint → lowercase hex without separators (64 digits). */
export function normalizeFingerprint(input: string): string {
  const s = stripHex(input);
  assertHex(s, 'fingerprint', input);
  if (s.length !== 64) {
    throw new PkiError('BAD_INPUT', `A SHA-256 fingerprint has 64 hex digits; "${input}" has ${s.length}`);
  }
  return s.toLowerCase();
}

/** The hex digits of an identifier as pasted (openssl's `serial=`, colons, spaces, `0x` gone), lower-case. */
export function hexDigits(input: string): string {
  return stripHex(input).toLowerCase();
}

/**
 * True when a search box input reads as an identifier (serial, SKI, fingerprint) rather than a
 * name: only hex digits and separators, and at least 8 digits so short words like "cafe" or
 * "bad" stay name searches.
 */
export function looksLikeHexId(input: string): boolean {
  const s = stripHex(input);
  return s.length >= 8 && /^[0-9a-fA-F]+$/.test(s);
}

export type HexIdKind = 'fingerprint' | 'ski' | 'serial';

/**
 * Best guess of what a hex identifier is, by length: 64 digits can only be a SHA-256 fingerprint;
 * 40 is both a SHA-1 SKI and a 20-byte serial (Cloudflare's), so it reports 'ski' and callers
 * that search should try both.
 */
export function classifyHexId(input: string): HexIdKind | undefined {
  if (!looksLikeHexId(input)) return undefined;
  const n = stripHex(input).length;
  if (n === 64) return 'fingerprint';
  if (n === 40) return 'ski';
  return 'serial';
}

/** For display: "AB:CD:EF" (openssl -fingerprint style). */
export function colonHex(hex: string, upper = true): string {
  const s = stripHex(hex);
  const pairs = (s.length % 2 ? `0${s}` : s).match(/../g) ?? [];
  const joined = pairs.join(':');
  return upper ? joined.toUpperCase() : joined.toLowerCase();
}

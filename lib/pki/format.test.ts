import { describe, expect, it } from 'vitest';
import {
  classifyHexId,
  colonHex,
  decimalSerialToHex,
  looksLikeHexId,
  normalizeFingerprint,
  normalizeSerial,
  normalizeSki,
} from './format';
import { PkiError } from './errors';

describe('normalizeSerial', () => {
  it('gives openssl -serial form: uppercase, no separators', () => {
    expect(normalizeSerial('21:28:6b:ed:72:ce')).toBe('21286BED72CE');
    expect(normalizeSerial(' 21 28 6B ED ')).toBe('21286BED');
    expect(normalizeSerial('serial=21286BED')).toBe('21286BED');
    expect(normalizeSerial('0x0a0b')).toBe('0A0B');
  });
  it('drops DER sign-padding zero bytes and pads odd lengths to whole bytes', () => {
    expect(normalizeSerial('00:8F:01')).toBe('8F01');
    expect(normalizeSerial('abc')).toBe('0ABC');
    expect(normalizeSerial('00')).toBe('00');
  });
  it('refuses non-hex', () => {
    expect(() => normalizeSerial('sensor-001')).toThrow(PkiError);
    expect(() => normalizeSerial('')).toThrow(/not a hexadecimal serial/);
  });
  it('converts the decimal serials of older Cloudflare responses (seed 001)', () => {
    // 133270673305904147240315902291726509220894288063 from seed 001's example response.
    expect(decimalSerialToHex('133270673305904147240315902291726509220894288063')).toBe(
      BigInt('133270673305904147240315902291726509220894288063').toString(16).toUpperCase().padStart(40, '0'),
    );
  });
});

describe('normalizeSki / normalizeFingerprint', () => {
  it('lowercases and strips separators', () => {
    expect(normalizeSki('EB:2A:48:A1')).toBe('eb2a48a1');
    const fp = '84B045D498F53A59BEF53358441A3957DE81261211FC9B6D46B0BF5880BDAF25';
    expect(normalizeFingerprint(colonHex(fp))).toBe(fp.toLowerCase());
    expect(normalizeFingerprint(`SHA256 Fingerprint=${colonHex(fp)}`)).toBe(fp.toLowerCase());
  });
  it('refuses a fingerprint of the wrong length', () => {
    expect(() => normalizeFingerprint('abcd')).toThrow(/64 hex digits/);
  });
});

describe('looksLikeHexId / classifyHexId', () => {
  it('tells identifiers from names', () => {
    expect(looksLikeHexId('eb:2a:48:a1:98:02')).toBe(true);
    expect(looksLikeHexId('cafe')).toBe(false);
    expect(looksLikeHexId('sensor-001')).toBe(false);
    expect(looksLikeHexId('deadbeefcafe')).toBe(true);
  });
  it('guesses the kind by length', () => {
    expect(classifyHexId('a'.repeat(64))).toBe('fingerprint');
    expect(classifyHexId('b'.repeat(40))).toBe('ski');
    expect(classifyHexId('21286BED72CE')).toBe('serial');
    expect(classifyHexId('hello world')).toBeUndefined();
  });
});

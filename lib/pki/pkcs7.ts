/**
 * PKCS#7 / CMS "certs-only" (a SignedData with certificates and no signers), the format EST answers
 * `cacerts`, `simpleenroll` and `simplereenroll` with (RFC 7030 §4.1.3, §4.2.3; RFC 5652 §5.1).
 *
 * No imports on purpose: the readings Worker (worker/src/est.ts) bundles this file into workerd as it is,
 * and certfleet, the simulator and tests use it in Node. A few DER encoders are all it takes.
 */

/** DER length octets. */
function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), derLength(body.length), body]);
}

// 1.2.840.113549.1.7.2 (signedData) and 1.2.840.113549.1.7.1 (data), encoded.
const OID_SIGNED_DATA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);
const OID_DATA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01);

/**
 * ContentInfo { signedData { version 1, digestAlgorithms {}, encapContentInfo { data }, certificates [0],
 * signerInfos {} } } in DER, with the certificates (each one DER) in the order given.
 */
export function buildCertsOnlyPkcs7(certificatesDer: readonly Uint8Array[]): Uint8Array {
  if (certificatesDer.length === 0) throw new Error('a certs-only PKCS#7 needs at least one certificate');
  for (const der of certificatesDer) {
    if (der[0] !== 0x30) throw new Error('not a DER certificate (it must start with a SEQUENCE)');
  }
  const signedData = tlv(
    0x30,
    Uint8Array.of(0x02, 0x01, 0x01), // version 1
    tlv(0x31), // digestAlgorithms: empty SET
    tlv(0x30, OID_DATA), // encapContentInfo without content
    tlv(0xa0, ...certificatesDer), // certificates [0] IMPLICIT SET OF Certificate
    tlv(0x31), // signerInfos: empty SET
  );
  return tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, signedData));
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** DER of every CERTIFICATE block in a PEM text, in order. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  return [...pem.matchAll(PEM_CERTIFICATE)].map((m) => base64Decode(m[1]!));
}

/** The base64 body EST sends (`Content-Transfer-Encoding: base64`), in 64-character lines. */
export function certsOnlyBase64(pem: string): string {
  const b64 = base64Encode(buildCertsOnlyPkcs7(certificatesFromPem(pem)));
  return `${(b64.match(/.{1,64}/g) ?? []).join('\r\n')}\r\n`;
}

/**
 * The certificates of a certs-only PKCS#7 (DER or base64 of DER), each as PEM: what a device does with an EST
 * answer (`openssl pkcs7 -print_certs` does the same). Throws on anything that is not a SignedData.
 */
export function certificatesFromPkcs7(input: Uint8Array | string): string[] {
  const der = typeof input === 'string' ? base64Decode(input) : input;
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new Error('not a PKCS#7 ContentInfo');
  const oid = readTlv(der, outer.start);
  const expected = OID_SIGNED_DATA;
  if (der.subarray(oid.offset, oid.end).some((b, i) => b !== expected[i]) || oid.end - oid.offset !== expected.length) {
    throw new Error('the PKCS#7 is not a SignedData');
  }
  const explicit = readTlv(der, oid.end);
  const signed = readTlv(der, explicit.start);
  const pems: string[] = [];
  for (let at = signed.start; at < signed.end; ) {
    const field = readTlv(der, at);
    if (field.tag === 0xa0) {
      for (let c = field.start; c < field.end; ) {
        const cert = readTlv(der, c);
        const b64 = base64Encode(der.subarray(cert.offset, cert.end));
        pems.push(`-----BEGIN CERTIFICATE-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`);
        c = cert.end;
      }
    }
    at = field.end;
  }
  return pems;
}

/** One DER element at `offset`: its tag, where its content starts and where it ends. */
function readTlv(der: Uint8Array, offset: number): { tag: number; offset: number; start: number; end: number } {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  const tag = der[offset]!;
  let len = der[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

export function base64Encode(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('not valid base64');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

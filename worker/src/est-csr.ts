// CSR checks at the edge, before an EST request is stored: a CSR that certfleet would refuse gets its 400 now,
// while the device is still listening, instead of a rejection minutes later. certfleet checks again (lib/est).

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto);

export interface CheckedCsr {
  /** PEM of the CSR (what certfleet hands to Cloudflare). */
  pem: string;
  /** SHA-256 of the CSR's DER, lowercase hex. */
  sha256: string;
  /** DER of the subject Name, hex (compared byte for byte on re-enrollment, RFC 7030 §4.2.2). */
  subjectHex: string;
  /** The subject as text, for messages. */
  subject: string;
}

export type CsrResult = { ok: true; csr: CheckedCsr } | { ok: false; error: string };

const MIN_RSA_BITS = 2048;
const CURVES = new Set(['P-256', 'P-384']);

/**
 * RFC 7030 §4.2.1: the body is the base64 of a DER PKCS#10 (Content-Transfer-Encoding: base64). A PEM
 * CSR is accepted too, since that is what `openssl req` writes by default.
 */
export async function checkCsr(body: string): Promise<CsrResult> {
  const text = body.trim();
  const b64 = text.includes('-----BEGIN')
    ? /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(text)?.[1]
    : text;
  if (!b64) return { ok: false, error: 'the body holds no PKCS#10 certificate request (expected base64 of its DER, or PEM)' };
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = decodeBase64(b64);
  } catch {
    return { ok: false, error: 'the body is not valid base64 of a PKCS#10 certificate request' };
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
    void csr.subjectName;
  } catch {
    return { ok: false, error: 'the body is not a PKCS#10 certificate request (it does not decode)' };
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, error: "the CSR's signature does not verify (changed after signing, or signed with another key)" };
  if (csr.subjectName.toJSON().length === 0) return { ok: false, error: 'the CSR has an empty subject: give it at least a CN' };

  const alg = csr.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS' || alg.name === 'RSA-OAEP') {
    if ((alg.modulusLength ?? 0) < MIN_RSA_BITS) {
      return { ok: false, error: `the CSR's RSA key has ${alg.modulusLength} bits; at least ${MIN_RSA_BITS} are required` };
    }
  } else if (alg.name === 'ECDSA') {
    if (!CURVES.has(alg.namedCurve ?? '')) return { ok: false, error: `the CSR's EC curve ${alg.namedCurve} is not accepted (use P-256 or P-384)` };
  } else {
    return { ok: false, error: `the CSR's key type ${alg.name} is not accepted (use RSA ≥ 2048 or ECDSA P-256/P-384)` };
  }

  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  return {
    ok: true,
    csr: {
      pem: `-----BEGIN CERTIFICATE REQUEST-----\n${(encodeBase64(der).match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`,
      sha256: hex(digest),
      subjectHex: hex(new Uint8Array(csr.subjectName.toArrayBuffer())),
      subject: csr.subject,
    },
  };
}

/** DER of a certificate's subject, hex; undefined when it does not decode. */
export function certificateSubjectHex(der: Uint8Array<ArrayBuffer>): { hex: string; text: string } | undefined {
  try {
    const cert = new x509.X509Certificate(der);
    return { hex: hex(new Uint8Array(cert.subjectName.toArrayBuffer())), text: cert.subject };
  } catch {
    return undefined;
  }
}

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/\s+/g, '');
  if (!clean || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('not base64');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

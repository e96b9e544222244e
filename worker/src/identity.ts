// Who is posting: the client certificate the edge verified, never the IP address (the seed keyed readings by
// CF-Connecting-IP, so two sensors behind one NAT shared a history and a moved sensor lost its own).

export interface CertificateIdentity {
  /** SHA-256 of the certificate's DER, 64 lowercase hex: the key of the device's Durable Object. */
  fingerprint: string;
  /** Uppercase hex, no separators (as Cloudflare sends certSerial). */
  serial: string;
  /** Subject Key Identifier, lowercase hex without separators ("" when the certificate has none). */
  ski: string;
}

export type IdentityResult = { ok: true; identity: CertificateIdentity } | { ok: false; error: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Reads the identity from `request.cf.tlsClientAuth`. The edge (API Shield's mTLS rule) normally blocks these
 * requests before they get here; checking again keeps the Worker safe on a hostname where the rule is missing.
 * @see https://developers.cloudflare.com/ssl/client-certificates/client-certificate-variables/
 */
export function certificateIdentity(cf: IncomingRequestCfProperties | undefined): IdentityResult {
  const auth = cf?.tlsClientAuth;
  if (!auth || auth.certPresented !== '1') {
    return { ok: false, error: 'a client certificate is required (none was presented)' };
  }
  if (auth.certVerified !== 'SUCCESS') {
    return { ok: false, error: `the client certificate was not verified (${auth.certVerified || 'NONE'})` };
  }
  if (auth.certRevoked === '1') {
    return { ok: false, error: 'the client certificate has been revoked' };
  }
  const fingerprint = normaliseHex(auth.certFingerprintSHA256);
  if (!SHA256_HEX.test(fingerprint)) {
    return { ok: false, error: 'the client certificate has no SHA-256 fingerprint' };
  }
  return {
    ok: true,
    identity: { fingerprint, serial: normaliseHex(auth.certSerial).toUpperCase(), ski: normaliseHex(auth.certSKI) },
  };
}

/** Lowercase hex without colons or spaces: workers-types show SKIs as "BB:AF:…", the Rules docs without colons. */
export function normaliseHex(value: string | undefined): string {
  return (value ?? '').replace(/[\s:]/g, '').toLowerCase();
}

/**
 * Judges a chain a TLS client presented against one trust anchor, the way OpenSSL (and so Cloudflare's edge)
 * does, and reads the leaf's fields in OpenSSL's formats: DNs in RFC 2253 and legacy one-line form, serials and
 * key identifiers in uppercase hex, validity as "Dec 22 19:39:00 2018 GMT".
 *
 * Node only (node:crypto's X509Certificate gives OpenSSL's issuer checks synchronously), so it is not exported
 * from ./index.ts, which the browser loads; the emulator's edge uses it.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { x509 } from './crypto';

interface ParsedCert {
  der: Buffer;
  node: X509Certificate;
  peculiar: x509.X509Certificate;
}

/** What the edge reports about a presented chain (every string in OpenSSL's format). */
export interface PresentedChainReport {
  /** The chain reached the anchor and every certificate on it is within its validity period. */
  verified: boolean;
  /** OpenSSL's wording of the first problem ("certificate has expired", …); undefined when verified. */
  error?: string;
  leafDer: Buffer;
  intermediatesDer: Buffer[];
  serial: string;
  subjectDn: string;
  issuerDn: string;
  subjectDnRfc2253: string;
  issuerDnRfc2253: string;
  subjectDnLegacy: string;
  issuerDnLegacy: string;
  ski: string;
  /** The serial and SKI of the certificate that signed the leaf ('' when none was found; SKI falls back to the leaf's AKI). */
  issuerSerial: string;
  issuerSki: string;
  fingerprintSha1: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
}

const anchorCache = new Map<string, ParsedCert>();

function parse(der: Buffer): ParsedCert {
  return { der, node: new X509Certificate(der), peculiar: new x509.X509Certificate(Uint8Array.from(der)) };
}

function anchorFor(pem: string): ParsedCert {
  let ca = anchorCache.get(pem);
  if (!ca) {
    ca = parse(new X509Certificate(pem).raw);
    anchorCache.clear(); // one anchor at a time (one zone per emulator); a new PEM means the old one is gone
    anchorCache.set(pem, ca);
  }
  return ca;
}

/**
 * The chain is built from the leaf (first) through the presented intermediates to the anchor, then every
 * certificate's validity is checked at `now`; failures are worded as OpenSSL words them.
 */
export function inspectPresentedChain(presented: [Buffer, ...Buffer[]], anchorPem: string, now: Date): PresentedChainReport {
  const [leaf, ...intermediates] = presented.map(parse) as [ParsedCert, ...ParsedCert[]];
  const verdict = verifyChain(leaf, intermediates, anchorFor(anchorPem), now);
  const issuer = verdict.issuer;
  return {
    verified: verdict.ok,
    error: verdict.ok ? undefined : verdict.error,
    leafDer: leaf.der,
    intermediatesDer: intermediates.map((c) => c.der),
    serial: leaf.node.serialNumber.toUpperCase(),
    issuerDn: dn(leaf.peculiar.issuerName, ', '),
    subjectDn: dn(leaf.peculiar.subjectName, ', '),
    issuerDnRfc2253: dn(leaf.peculiar.issuerName, ','),
    subjectDnRfc2253: dn(leaf.peculiar.subjectName, ','),
    issuerDnLegacy: legacyDn(leaf.peculiar.issuerName),
    subjectDnLegacy: legacyDn(leaf.peculiar.subjectName),
    ski: ski(leaf),
    issuerSerial: issuer ? issuer.node.serialNumber.toUpperCase() : '',
    issuerSki: issuer ? ski(issuer) : aki(leaf),
    fingerprintSha1: createHash('sha1').update(leaf.der).digest('hex'),
    fingerprintSha256: createHash('sha256').update(leaf.der).digest('hex'),
    // Node prints validity as OpenSSL does: "Dec 22 19:39:00 2018 GMT".
    notBefore: leaf.node.validFrom,
    notAfter: leaf.node.validTo,
  };
}

type Verdict = { ok: true; issuer: ParsedCert } | { ok: false; error: string; issuer?: ParsedCert };

function verifyChain(leaf: ParsedCert, intermediates: ParsedCert[], anchor: ParsedCert, now: Date): Verdict {
  const path: ParsedCert[] = [leaf];
  let current = leaf;
  for (;;) {
    if (issuedBy(current, anchor)) break;
    const next = intermediates.find((c) => !path.includes(c) && issuedBy(current, c));
    if (!next) {
      const issuer = path[1];
      if (issuedBy(current, current)) {
        return {
          ok: false,
          issuer,
          error: path.length === 1 ? 'self signed certificate' : 'self signed certificate in certificate chain',
        };
      }
      // OpenSSL's wording differs by whether the client sent anything besides the leaf.
      return {
        ok: false,
        issuer,
        error: path.length === 1 ? 'unable to verify the first certificate' : 'unable to get local issuer certificate',
      };
    }
    if (!next.node.ca) return { ok: false, issuer: path[1] ?? next, error: 'invalid CA certificate' };
    path.push(next);
    current = next;
    if (path.length > 10) return { ok: false, error: 'certificate chain too long' };
  }
  // Validity from the anchor down, as OpenSSL's internal_verify reports the topmost problem first.
  for (const cert of [anchor, ...path.slice().reverse()]) {
    if (now < cert.peculiar.notBefore) return { ok: false, issuer: path[1] ?? anchor, error: 'certificate is not yet valid' };
    if (now > cert.peculiar.notAfter) return { ok: false, issuer: path[1] ?? anchor, error: 'certificate has expired' };
  }
  return { ok: true, issuer: path[1] ?? anchor };
}

function issuedBy(child: ParsedCert, parent: ParsedCert): boolean {
  try {
    return child.node.checkIssued(parent.node) && child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

function ski(cert: ParsedCert): string {
  const ext = cert.peculiar.getExtension(x509.SubjectKeyIdentifierExtension);
  return ext ? ext.keyId.toUpperCase() : '';
}

function aki(cert: ParsedCert): string {
  const ext = cert.peculiar.getExtension(x509.AuthorityKeyIdentifierExtension);
  return ext?.keyId ? ext.keyId.toUpperCase() : '';
}

// OpenSSL's short names where @peculiar/x509 uses others.
const OPENSSL_NAMES: Record<string, string> = { E: 'emailAddress', G: 'GN' };

function rdns(name: x509.Name): [string, string][][] {
  return name.toJSON().map((rdn) =>
    Object.entries(rdn).flatMap(([type, values]) => values.map((v): [string, string] => [OPENSSL_NAMES[type] ?? type, v])),
  );
}

/** RFC 2253: last RDN first; multi-valued RDNs joined with "+"; specials escaped. */
function dn(name: x509.Name, separator: string): string {
  return rdns(name)
    .reverse()
    .map((rdn) => rdn.map(([t, v]) => `${t}=${escapeRfc2253(v)}`).join('+'))
    .join(separator);
}

/** OpenSSL's X509_NAME_oneline: encoding order, "/"-prefixed, unescaped. */
function legacyDn(name: x509.Name): string {
  return rdns(name)
    .map((rdn) => rdn.map(([t, v]) => `/${t}=${v}`).join('+'))
    .join('');
}

function escapeRfc2253(value: string): string {
  const escaped = value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
  // Control characters as \XX, as OpenSSL's RFC 2253 output does.
  return [...escaped]
    .map((c) => (c.charCodeAt(0) < 0x20 ? `\\${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}` : c))
    .join('');
}

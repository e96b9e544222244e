// `request.cf.tlsClientAuth` as Cloudflare fills it for a TLS connection: the X.509 judgement is lib/pki's
// (client-chain.ts); this file adds Cloudflare's placeholder, revocation from the store and the RFC 9440 fields.
// @see ../shared/cloudflare-api/tls-client-auth.json (field formats)

import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { inspectPresentedChain } from '@/lib/pki/client-chain';
import type { TlsClientAuth } from '@/worker/src/tls-client-auth';
import type { CertificateStatus } from './zone/records';

export type { TlsClientAuth };

/** What Cloudflare sends when no certificate was presented (or mTLS is off for the host). */
export const TLS_CLIENT_AUTH_PLACEHOLDER: Readonly<TlsClientAuth> = Object.freeze({
  certPresented: '0',
  certVerified: 'NONE',
  certRevoked: '0',
  certIssuerDN: '',
  certSubjectDN: '',
  certIssuerDNRFC2253: '',
  certSubjectDNRFC2253: '',
  certIssuerDNLegacy: '',
  certSubjectDNLegacy: '',
  certSerial: '',
  certIssuerSerial: '',
  certSKI: '',
  certIssuerSKI: '',
  certFingerprintSHA1: '',
  certFingerprintSHA256: '',
  certNotBefore: '',
  certNotAfter: '',
  certRFC9440: '',
  certRFC9440TooLarge: false,
  certChainRFC9440: '',
  certChainRFC9440TooLarge: false,
});

/** Where the edge looks up revocation: by serial, uppercase hex as `openssl -serial` prints it. */
export type StatusBySerial = (serialUpperHex: string) => CertificateStatus | undefined;

/** The `tlsClientAuth` for a TLS connection: the certificates the client sent, judged against the zone CA. */
export function tlsClientAuthFor(
  socket: TLSSocket,
  store: { zoneCaCertPem(): string; certificateStatusBySerial: StatusBySerial },
  now = new Date(),
): TlsClientAuth {
  return buildTlsClientAuth(presentedChain(socket), {
    zoneCaPem: store.zoneCaCertPem(),
    statusBySerial: (serial) => store.certificateStatusBySerial(serial),
    now,
  });
}

/** DER of the certificates the client sent, leaf first (empty when it sent none). */
export function presentedChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | Record<string, never>;
  while (cert && 'raw' in cert && cert.raw && chain.length < 10) {
    if (chain.some((c) => c.equals(cert.raw))) break; // a self-signed cert is its own issuerCertificate
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

interface JudgeOptions {
  zoneCaPem: string;
  statusBySerial: StatusBySerial;
  now: Date;
}

/**
 * Fills `tlsClientAuth` from the presented chain (DER, leaf first), like Cloudflare: `certVerified` carries
 * OpenSSL's failure text; revocation is looked up only for certificates the zone CA signed.
 */
export function buildTlsClientAuth(presented: Buffer[], opts: JudgeOptions): TlsClientAuth {
  if (presented.length === 0) return { ...TLS_CLIENT_AUTH_PLACEHOLDER };
  const chain = inspectPresentedChain(presented as [Buffer, ...Buffer[]], opts.zoneCaPem, opts.now);
  const status = chain.verified ? lookupStatus(chain.serial, opts.statusBySerial) : undefined;

  const leafB64 = chain.leafDer.toString('base64');
  const leafTooLarge = chain.leafDer.length > 10 * 1024;
  const chainValue = chain.intermediatesDer.map((der) => `:${der.toString('base64')}:`).join(', ');
  const chainTooLarge = chainValue.length > 16 * 1024;

  return {
    certPresented: '1',
    certVerified: chain.verified ? 'SUCCESS' : `FAILED:${chain.error}`,
    certRevoked: status === 'revoked' ? '1' : '0',
    certIssuerDN: chain.issuerDn,
    certSubjectDN: chain.subjectDn,
    certIssuerDNRFC2253: chain.issuerDnRfc2253,
    certSubjectDNRFC2253: chain.subjectDnRfc2253,
    certIssuerDNLegacy: chain.issuerDnLegacy,
    certSubjectDNLegacy: chain.subjectDnLegacy,
    certSerial: chain.serial,
    certIssuerSerial: chain.issuerSerial,
    certSKI: chain.ski,
    certIssuerSKI: chain.issuerSki,
    certFingerprintSHA1: chain.fingerprintSha1,
    certFingerprintSHA256: chain.fingerprintSha256,
    certNotBefore: chain.notBefore,
    certNotAfter: chain.notAfter,
    certRFC9440: leafTooLarge ? '' : `:${leafB64}:`,
    certRFC9440TooLarge: leafTooLarge,
    certChainRFC9440: chainTooLarge ? '' : chainValue,
    certChainRFC9440TooLarge: chainTooLarge,
  };
}

/** The store may key serials with or without DER's leading zero byte; try the forms a serial can take. */
function lookupStatus(serial: string, statusBySerial: StatusBySerial): CertificateStatus | undefined {
  const stripped = serial.replace(/^0+/, '') || '0';
  const even = stripped.length % 2 ? `0${stripped}` : stripped;
  for (const candidate of new Set([serial, even, stripped, `00${even}`])) {
    const status = statusBySerial(candidate);
    if (status) return status;
  }
  return undefined;
}

// `request.cf.tlsClientAuth` as the Workers runtime types it, following workerd's own declaration
// (github.com/cloudflare/workerd, types/defines/cf.d.ts, IncomingRequestCfPropertiesTLSClientAuth).
// A module of its own so that the local edge (emulator/) fills exactly the type this Worker reads.

/** Flags are the strings "1"/"0" in Workers (Rules fields are booleans). */
export interface TlsClientAuth {
  certPresented: '0' | '1';
  certVerified: string;
  certRevoked: '0' | '1';
  certIssuerDN: string;
  certSubjectDN: string;
  certIssuerDNRFC2253: string;
  certSubjectDNRFC2253: string;
  certIssuerDNLegacy: string;
  certSubjectDNLegacy: string;
  certSerial: string;
  certIssuerSerial: string;
  certSKI: string;
  certIssuerSKI: string;
  certFingerprintSHA1: string;
  certFingerprintSHA256: string;
  certNotBefore: string;
  certNotAfter: string;
  /** The leaf as an RFC 9440 Client-Cert value (`:base64 DER:`), '' when over 10 KiB. */
  certRFC9440: string;
  certRFC9440TooLarge: boolean;
  /** The intermediates as an RFC 9440 Client-Cert-Chain value, '' when over 16 KiB. */
  certChainRFC9440: string;
  certChainRFC9440TooLarge: boolean;
}

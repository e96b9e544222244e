import { MAX_COMMON_NAME } from '@/lib/validation/enrollment-constants';

/** What the browser found in a pasted or uploaded CSR, shown for confirmation before anything is sent. */
export interface CsrCheck {
  /** True when Cloudflare (and certfleet's server) will accept it. */
  ok: boolean;
  problems: string[];
  commonName?: string;
  subject?: string;
  sans: string[];
  /** e.g. "RSA 2048" or "EC P-256". */
  key?: string;
  signatureAlgorithm?: string;
  signatureValid?: boolean;
  /** Normalised PEM (\n line endings), what is sent. */
  pem?: string;
}

/**
 * Parses a CSR in the browser with the same code the server uses, leniently, so that every problem
 * can be listed at once (the server refuses the same ones strictly).
 */
export async function checkCsr(text: string): Promise<CsrCheck> {
  if (/PRIVATE KEY-----/.test(text)) {
    return { ok: false, sans: [], problems: ['This is a private key. Keep it on the device and paste only its CSR (-----BEGIN CERTIFICATE REQUEST-----).'] };
  }
  // X.509 code is loaded when a CSR is given, not with the enrollment pages.
  const { isPkiError, MIN_RSA_BITS, parseCsr } = await import('@/lib/pki');
  try {
    const csr = await parseCsr(text, { strict: false });
    const problems: string[] = [];
    if (!csr.signatureValid) problems.push("The signature does not verify: the CSR was changed after it was signed. Make it again.");
    if (csr.keyType === 'RSA' && csr.keySize < MIN_RSA_BITS) {
      problems.push(`The RSA key has ${csr.keySize} bits; at least ${MIN_RSA_BITS} are required (or use ECDSA P-256).`);
    }
    if (!csr.subject.CN) problems.push('The CSR has no common name (CN).');
    else if (csr.subject.CN.length > MAX_COMMON_NAME) problems.push(`The common name is longer than ${MAX_COMMON_NAME} characters.`);
    return {
      ok: problems.length === 0,
      problems,
      commonName: csr.subject.CN,
      subject: csr.subject.dn,
      sans: csr.sanEntries.map((s) => `${s.type.toUpperCase()}: ${s.value}`),
      key: csr.keyType === 'EC' ? `EC ${csr.curve ?? ''}`.trim() : `RSA ${csr.keySize}`,
      signatureAlgorithm: csr.signatureAlgorithm,
      signatureValid: csr.signatureValid,
      pem: csr.pem,
    };
  } catch (error) {
    return { ok: false, sans: [], problems: [isPkiError(error) ? error.message : 'This could not be read as a CSR.'] };
  }
}

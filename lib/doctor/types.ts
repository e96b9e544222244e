/**
 * What the certificate doctor knows, split by where it is learnt: the browser reads what the device
 * has (and keeps any private key), the server answers only about the public certificate.
 */

export type InputKind = 'pem' | 'der' | 'pkcs12';

/** The public facts of a certificate, as the browser (and the server again) read them. */
export interface CertificateSummary {
  serialNumber: string;
  fingerprintSha256: string;
  ski: string | null;
  aki: string | null;
  subjectDn: string;
  commonName: string | null;
  issuerDn: string;
  /** ISO 8601 */
  notBefore: string;
  notAfter: string;
  keyType: 'RSA' | 'EC';
  keySize: number;
  curve: string | null;
  signatureAlgorithm: string;
  sans: string[];
  isSelfSigned: boolean;
  isCa: boolean;
  extendedKeyUsage: string[];
  pem: string;
}

export type ReadFailure =
  | 'EMPTY'
  | 'BAD_PASSWORD'
  | 'NEEDS_PASSWORD'
  | 'PRIVATE_KEY_ONLY'
  | 'CSR'
  | 'NOT_A_CERTIFICATE';

/** What the browser made of the input. The key never leaves the browser: only `keyCheck` (its verdict) is kept. */
export interface BrowserFacts {
  inputKind: InputKind | null;
  read: { ok: true; certificate: CertificateSummary; chainLength: number } | { ok: false; failure: ReadFailure; message: string };
  keyCheck:
    | { given: false }
    | { given: true; matches: true; keyDescription: string }
    | { given: true; matches: false; reason: 'MISMATCH' | 'UNREADABLE'; message: string };
}

export interface MtlsHostState {
  hostname: string;
  associated: boolean;
  enforced: boolean | null;
  /** ISO 8601 */
  checkedAt: string | null;
}

/** What certfleet knows of a certificate (`POST /api/doctor`), from the public certificate alone. */
export interface DoctorKnowledge {
  zoneCa:
    | { configured: false; problem: string }
    | { configured: true; subjectDn: string; ski: string | null; akiMatches: boolean; signatureValid: boolean };
  record: null | {
    certificateId: string;
    cloudflareId: string;
    status: 'ACTIVE' | 'PENDING_REVOCATION' | 'REVOKED' | 'PENDING_REACTIVATION';
    source: string;
    revocation: null | { reason: string | null; note: string | null; byEmail: string | null; at: string | null };
    supersededAt: string | null;
    device: null | {
      id: string;
      name: string;
      group: string;
      status: string;
      isCanary: boolean;
      lastSeenAt: string | null;
      lastSeenFingerprint: string | null;
    };
  };
  /** Cloudflare's status, asked live; `error` when Cloudflare could not be asked. */
  cloudflare: { status: 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation' | null; checkedLive: boolean; error: string | null };
  /** When the edge last saw this very certificate (the Worker's registry, as pulled). */
  certificateLastSeenAt: string | null;
  mtls: { hosts: MtlsHostState[]; error: string | null };
}

export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';
export type ConversionKind = 'pem' | 'der' | 'p12';

export interface ChecklistLine {
  id: 'parse' | 'validity' | 'issuer' | 'known' | 'status' | 'key-strength' | 'key-match' | 'host' | 'last-seen';
  label: string;
  verdict: Verdict;
  /** The plain verdict, one or two sentences. */
  summary: string;
  /** What to do next (failing and warning lines). */
  next?: string;
  /** Equivalent openssl commands (seed 002 style). */
  commands?: string[];
  /** Conversions the doctor can make right here in the browser. */
  offer?: ConversionKind[];
}

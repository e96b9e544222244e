/**
 * Parse CSRs and certificates for server, browser and emulator alike (WebCrypto + @peculiar/x509).
 * Input: PEM with \n or \r\n (or the literal "\n" of a JSON-escaped PEM), bare base64, or DER bytes.
 * Anything else is refused with a PkiError whose message tells the person what to fix.
 */
import { bytesToHex, sha256Hex, x509 } from './crypto';
import { PkiError } from './errors';
import { normalizeSerial, normalizeSki } from './format';
import { base64ToBytes, decodePemBlocks, encodePem, normalizePemText } from './pem';

export type PkiInput = string | Uint8Array | ArrayBuffer;

export interface SubjectFields {
  CN?: string;
  O?: string;
  OU?: string;
  C?: string;
  ST?: string;
  L?: string;
  /** RFC 4514-style string, e.g. `C=US, O=Temperature Testers\, Inc., CN=sensor-001` */
  dn: string;
}

export type SanType = 'dns' | 'ip' | 'email' | 'url' | 'dn' | 'guid' | 'upn' | 'id';
export interface SanEntry {
  type: SanType;
  value: string;
}

export type KeyType = 'RSA' | 'EC';

export interface KeyInfo {
  keyType: KeyType;
  /** RSA modulus bits, or the EC curve size (256 for P-256). */
  keySize: number;
  /** EC only: 'P-256' | 'P-384' | 'P-521' */
  curve?: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER: equal for a CSR and the certificates issued for it. */
  spkiSha256: string;
}

export interface ParsedCsr extends KeyInfo {
  subject: SubjectFields;
  sans: string[];
  sanEntries: SanEntry[];
  /** Cloudflare's naming, e.g. 'SHA256WithRSA', 'ECDSAWithSHA256'. */
  signatureAlgorithm: string;
  signatureValid: boolean;
  /** PEM with \n line endings and a trailing newline. */
  pem: string;
  der: Uint8Array<ArrayBuffer>;
}

export interface ParsedCertificate extends KeyInfo {
  /** Uppercase hex without separators (openssl `-serial`). */
  serialNumber: string;
  /** Lowercase hex, or null when the certificate has no SKI extension. */
  ski: string | null;
  aki: string | null;
  fingerprintSha256: string;
  subject: SubjectFields;
  issuer: SubjectFields;
  sans: string[];
  sanEntries: SanEntry[];
  signatureAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  isSelfSigned: boolean;
  isCa: boolean;
  /** 'clientAuth', 'serverAuth', … (or the OID when it has no short name). */
  extendedKeyUsage: string[];
  pem: string;
  der: Uint8Array<ArrayBuffer>;
}

export interface ParseCsrOptions {
  /**
   * Refuse what Cloudflare would refuse: a signature that does not verify, an empty subject,
   * RSA under 2048 bits. Default true. With false the facts are returned (signatureValid false,
   * keySize 1024) so a UI can explain a bad CSR instead of only rejecting it.
   */
  strict?: boolean;
}

export const MIN_RSA_BITS = 2048;
const SUPPORTED_CURVES = new Set(['P-256', 'P-384', 'P-521']);

const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

function describeLabel(label: string): string {
  if (CSR_LABELS.has(label)) return 'a certificate signing request (CSR)';
  if (CERT_LABELS.has(label)) return 'a certificate';
  if (label.endsWith('PRIVATE KEY')) return 'a private key';
  if (label === 'PUBLIC KEY') return 'a public key';
  if (label === 'PKCS7') return 'a PKCS#7 bundle';
  if (label === 'X509 CRL') return 'a certificate revocation list';
  return `a "${label}" block`;
}

type Kind = 'csr' | 'certificate';
const KIND_TEXT: Record<Kind, { name: string; label: string }> = {
  csr: { name: 'a certificate signing request (CSR)', label: 'CERTIFICATE REQUEST' },
  certificate: { name: 'a certificate', label: 'CERTIFICATE' },
};

// A copy, so the result is backed by a plain ArrayBuffer as WebCrypto's typings require.
function asBytes(input: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(input instanceof Uint8Array ? input : new Uint8Array(input));
}

function looksLikeText(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith('-----BEGIN') || head.startsWith('\uFEFF-----BEGIN');
}

/** Returns every DER object of the expected kind found in the input (PEM may hold a chain). */
function extractDer(input: PkiInput, kind: Kind): Uint8Array<ArrayBuffer>[] {
  const expected = KIND_TEXT[kind];
  if (input === null || input === undefined) throw new PkiError('EMPTY', `No ${expected.name} was given`);
  let text: string | undefined;
  if (typeof input === 'string') {
    text = input;
  } else {
    const bytes = asBytes(input);
    if (bytes.length === 0) throw new PkiError('EMPTY', `The ${kind === 'csr' ? 'CSR' : 'certificate'} file is empty`);
    if (!looksLikeText(bytes)) return [bytes];
    text = new TextDecoder().decode(bytes);
  }
  const normalized = normalizePemText(text);
  if (normalized.length === 0) throw new PkiError('EMPTY', `No ${expected.name} was given: the text is empty`);
  if (normalized.includes('-----BEGIN')) {
    const blocks = decodePemBlocks(normalized);
    if (blocks.length === 0) {
      throw new PkiError(
        'MALFORMED',
        `The PEM text is incomplete: expected -----BEGIN ${expected.label}----- … -----END ${expected.label}-----`,
      );
    }
    const wanted = blocks.filter((b) => (kind === 'csr' ? CSR_LABELS : CERT_LABELS).has(b.label));
    if (wanted.length === 0) {
      const got = describeLabel(blocks[0].label);
      const hint = got === 'a private key' ? ' Keep private keys secret; send only the CSR.' : '';
      throw new PkiError(
        'WRONG_TYPE',
        `Expected ${expected.name} (-----BEGIN ${expected.label}-----) but this is ${got} (-----BEGIN ${blocks[0].label}-----).${hint}`,
      );
    }
    return wanted.map((b) => b.der);
  }
  // Bare base64 of DER, as some tools and HSM exports print it.
  if (/^[A-Za-z0-9+/=\s]+$/.test(normalized) && normalized.replace(/\s/g, '').length >= 64) {
    try {
      return [base64ToBytes(normalized)];
    } catch {
      // fall through to the generic refusal
    }
  }
  throw new PkiError(
    'NOT_PEM_OR_DER',
    `This is not ${expected.name}: expected PEM text starting with -----BEGIN ${expected.label}----- or DER bytes`,
  );
}

function subjectFields(name: x509.Name): SubjectFields {
  const first = (f: string) => name.getField(f)[0];
  const out: SubjectFields = { dn: name.toString() };
  for (const f of ['CN', 'O', 'OU', 'C', 'ST', 'L'] as const) {
    const v = first(f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

function sanEntriesOf(ext: x509.Extension | null): SanEntry[] {
  if (!ext) return [];
  const san = ext instanceof x509.SubjectAlternativeNameExtension ? ext : new x509.SubjectAlternativeNameExtension(ext.rawData);
  return san.names.items.map((n) => ({ type: n.type as SanType, value: n.value }));
}

const HASH_SHORT: Record<string, string> = { 'SHA-1': 'SHA1', 'SHA-256': 'SHA256', 'SHA-384': 'SHA384', 'SHA-512': 'SHA512' };

/** WebCrypto algorithm → Cloudflare's `signature` strings ("SHA256WithRSA", "ECDSAWithSHA256"). */
function signatureName(alg: { name: string; hash?: { name: string } | string }): string {
  const hashName = typeof alg.hash === 'string' ? alg.hash : alg.hash?.name;
  const h = hashName ? (HASH_SHORT[hashName] ?? hashName) : '';
  if (alg.name === 'RSASSA-PKCS1-v1_5') return `${h}WithRSA`;
  if (alg.name === 'RSA-PSS') return `${h}WithRSA-PSS`;
  if (alg.name === 'ECDSA') return `ECDSAWith${h}`;
  return h ? `${alg.name}/${h}` : alg.name;
}

async function keyInfo(publicKey: x509.PublicKey, what: string): Promise<KeyInfo> {
  const alg = publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  const spkiSha256 = await sha256Hex(publicKey.rawData);
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS' || alg.name === 'RSA-OAEP') {
    return { keyType: 'RSA', keySize: alg.modulusLength ?? 0, spkiSha256 };
  }
  if (alg.name === 'ECDSA' || alg.name === 'ECDH') {
    const curve = alg.namedCurve ?? 'unknown';
    if (!SUPPORTED_CURVES.has(curve)) {
      throw new PkiError('UNSUPPORTED_KEY', `The ${what}'s EC key uses curve ${curve}; only P-256, P-384 and P-521 are supported`);
    }
    return { keyType: 'EC', keySize: Number(curve.slice(2)), curve, spkiSha256 };
  }
  throw new PkiError(
    'UNSUPPORTED_KEY',
    `The ${what}'s key type (${alg.name}) is not supported: use RSA (${MIN_RSA_BITS} bits or more) or ECDSA P-256`,
  );
}

/** The decoder's own words ("Unsupported format of 'raw' argument…") stay in `cause`: a person reads what to do. */
function malformed(kind: Kind, cause: unknown): PkiError {
  const what = kind === 'csr' ? 'certificate signing request' : 'certificate';
  return new PkiError(
    'MALFORMED',
    `This is not a valid ${what}: its structure cannot be decoded. Paste the whole PEM, from -----BEGIN to -----END, as the tool wrote it`,
    { cause },
  );
}

/** If DER of the wrong kind was given, say so instead of "cannot be decoded". */
function sniffOtherKind(der: Uint8Array<ArrayBuffer>, kind: Kind): PkiError | undefined {
  try {
    if (kind === 'csr') {
      new x509.X509Certificate(der);
      return new PkiError('WRONG_TYPE', 'Expected a certificate signing request (CSR) but this is a certificate');
    }
    new x509.Pkcs10CertificateRequest(der);
    return new PkiError('WRONG_TYPE', 'Expected a certificate but this is a certificate signing request (CSR)');
  } catch {
    return undefined;
  }
}

/**
 * `der` decoded as `kind`. The subject and key are decoded lazily, so they are read here: a broken one fails
 * now, as MALFORMED (or WRONG_TYPE when the DER is the other kind), not later in a caller.
 */
function decode<T extends { subjectName: x509.Name; publicKey: x509.PublicKey }>(der: Uint8Array<ArrayBuffer>, kind: Kind, make: (der: Uint8Array<ArrayBuffer>) => T): T {
  try {
    const decoded = make(der);
    void decoded.subjectName;
    void decoded.publicKey.algorithm;
    return decoded;
  } catch (e) {
    throw sniffOtherKind(der, kind) ?? malformed(kind, e);
  }
}

/**
 * Parses and checks a CSR. Strict by default: refuses a signature that does not verify (the CSR
 * was altered after signing), an empty subject and RSA keys under 2048 bits.
 * @throws PkiError
 */
export async function parseCsr(input: PkiInput, options: ParseCsrOptions = {}): Promise<ParsedCsr> {
  const strict = options.strict ?? true;
  return typeof input === 'string' ? memo(`csr|${strict}|${input}`, () => parseCsrUncached(input, strict)) : parseCsrUncached(input, strict);
}

/**
 * Parses of recent PEM texts. One issuance reads the same CSR and certificate several times (the EST policy,
 * the issuance, Cloudflare's answer, the record), and each parse verifies a signature in JavaScript: in a
 * renewal wave that was most of the EST job's CPU (docs/benchmarks.md). Results are plain data and callers
 * treat them as read-only; a failed parse is not kept.
 */
const parsed = new Map<string, Promise<unknown>>();
const MEMO_SIZE = 256;
function memo<T>(key: string, parse: () => Promise<T>): Promise<T> {
  const hit = parsed.get(key) as Promise<T> | undefined;
  if (hit) {
    parsed.delete(key);
    parsed.set(key, hit);
    return hit;
  }
  const result = parse();
  parsed.set(key, result);
  if (parsed.size > MEMO_SIZE) parsed.delete(parsed.keys().next().value!);
  result.catch(() => parsed.get(key) === result && parsed.delete(key));
  return result;
}

async function parseCsrUncached(input: PkiInput, strict: boolean): Promise<ParsedCsr> {
  const [der] = extractDer(input, 'csr');
  const csr = decode(der, 'csr', (d) => new x509.Pkcs10CertificateRequest(d));
  const key = await keyInfo(csr.publicKey, 'CSR');
  let signatureValid = false;
  try {
    signatureValid = await csr.verify();
  } catch {
    signatureValid = false;
  }
  const subject = subjectFields(csr.subjectName);
  let sanEntries: SanEntry[] = [];
  try {
    sanEntries = sanEntriesOf(csr.getExtension('2.5.29.17'));
  } catch (e) {
    throw new PkiError('MALFORMED', 'The CSR has a subjectAltName extension that cannot be decoded', { cause: e });
  }
  if (strict) {
    if (!signatureValid) {
      throw new PkiError(
        'BAD_SIGNATURE',
        "The CSR's signature does not verify: it was changed after it was signed, or signed with a different key. Generate the CSR again.",
      );
    }
    if (csr.subjectName.toJSON().length === 0) {
      throw new PkiError('NO_SUBJECT', 'The CSR has an empty subject: give it at least a common name (CN)');
    }
    if (key.keyType === 'RSA' && key.keySize < MIN_RSA_BITS) {
      throw new PkiError(
        'WEAK_KEY',
        `The CSR's RSA key has ${key.keySize} bits; at least ${MIN_RSA_BITS} are required (or use ECDSA P-256)`,
      );
    }
  }
  return {
    ...key,
    subject,
    sans: sanEntries.map((s) => s.value),
    sanEntries,
    signatureAlgorithm: signatureName(csr.signatureAlgorithm),
    signatureValid,
    pem: encodePem(der, 'CERTIFICATE REQUEST'),
    der,
  };
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

async function parseOneCertificate(der: Uint8Array<ArrayBuffer>): Promise<ParsedCertificate> {
  const cert = decode(der, 'certificate', (d) => new x509.X509Certificate(d));
  const key = await keyInfo(cert.publicKey, 'certificate');
  const skiExt = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const akiExt = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const sanEntries = sanEntriesOf(cert.getExtension('2.5.29.17'));
  let isSelfSigned = false;
  try {
    isSelfSigned = await cert.isSelfSigned();
  } catch {
    isSelfSigned = false;
  }
  return {
    ...key,
    serialNumber: normalizeSerial(cert.serialNumber),
    ski: skiExt ? normalizeSki(skiExt.keyId) : null,
    aki: akiExt?.keyId ? normalizeSki(akiExt.keyId) : null,
    fingerprintSha256: await sha256Hex(der),
    subject: subjectFields(cert.subjectName),
    issuer: subjectFields(cert.issuerName),
    sans: sanEntries.map((s) => s.value),
    sanEntries,
    signatureAlgorithm: signatureName(cert.signatureAlgorithm),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isSelfSigned,
    isCa: bc?.ca ?? false,
    extendedKeyUsage: (eku?.usages ?? []).map((u) => EKU_NAMES[String(u)] ?? String(u)),
    pem: encodePem(der, 'CERTIFICATE'),
    der,
  };
}

/**
 * Parses the first certificate of a PEM (which may hold a chain) or a DER certificate.
 * @throws PkiError
 */
export async function parseCertificate(input: PkiInput): Promise<ParsedCertificate> {
  if (typeof input === 'string') return memo(`cert|${input}`, () => parseOneCertificate(extractDer(input, 'certificate')[0]));
  return parseOneCertificate(extractDer(input, 'certificate')[0]);
}

/** Every certificate of a PEM bundle, leaf first as written. */
export async function parseCertificateChain(input: PkiInput): Promise<ParsedCertificate[]> {
  return Promise.all(extractDer(input, 'certificate').map(parseOneCertificate));
}

/** Lowercase hex of arbitrary bytes (exported for callers that show raw values). */
export { bytesToHex };

/**
 * Key pairs and CSRs made in WebCrypto, so a browser can make a device's key without it ever
 * leaving the page, and the emulator can make custom-CSR keys with the same code.
 */
import { webcrypto, x509 } from './crypto';
import { PkiError } from './errors';
import { decodePemBlocks, encodePem } from './pem';

export type KeyAlgorithm = 'RSA' | 'EC';

export interface KeyOptions {
  /** 'EC' = ECDSA P-256 (fast, small; default), 'RSA' = RSASSA-PKCS1-v1_5 with SHA-256. */
  algorithm?: KeyAlgorithm;
  /** RSA modulus bits (default 2048), ignored for EC. */
  rsaBits?: number;
  /** EC curve (default P-256), ignored for RSA. */
  curve?: 'P-256' | 'P-384';
  /** Whether the private key can be exported (needed to save it or put it in a PKCS#12). Default true. */
  extractable?: boolean;
}

function algorithmParams(opts: KeyOptions): RsaHashedKeyGenParams | EcKeyGenParams {
  if ((opts.algorithm ?? 'EC') === 'RSA') {
    return {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: opts.rsaBits ?? 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
  }
  return { name: 'ECDSA', namedCurve: opts.curve ?? 'P-256' };
}

/** The signing algorithm to use with a key (SHA-256 for RSA and P-256, SHA-384 for P-384). */
export function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const alg = key.algorithm as { name: string; namedCurve?: string };
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' };
  return { name: 'RSASSA-PKCS1-v1_5' };
}

export async function generateKeyPair(opts: KeyOptions = {}): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithmParams(opts), opts.extractable ?? true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

export interface CsrSubject {
  CN: string;
  O?: string;
  OU?: string;
  C?: string;
  ST?: string;
  L?: string;
}

/** X.501 order (C, ST, L, O, OU, CN), the order openssl and cfssl write. */
export function subjectToJsonName(subject: CsrSubject): x509.JsonName {
  const order = ['C', 'ST', 'L', 'O', 'OU', 'CN'] as const;
  return order.filter((k) => subject[k]).map((k) => ({ [k]: [subject[k] as string] }));
}

export interface CreateCsrParams {
  keys: CryptoKeyPair;
  subject: CsrSubject;
  /** DNS names, IP addresses (v4/v6) or e-mail addresses; the CN is not added implicitly. */
  sans?: string[];
}

function sanToGeneralName(value: string): x509.JsonGeneralName {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':')) return { type: 'ip', value };
  if (value.includes('@')) return { type: 'email', value };
  return { type: 'dns', value };
}

/** A PKCS#10 CSR signed with `keys.privateKey`, as PEM (\n line endings). */
export async function createCsr(params: CreateCsrParams): Promise<string> {
  if (!params.subject.CN) throw new PkiError('NO_SUBJECT', 'A CSR needs a common name (CN)');
  const extensions: x509.Extension[] = [];
  if (params.sans?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(params.sans.map(sanToGeneralName)));
  }
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectToJsonName(params.subject),
    keys: params.keys,
    signingAlgorithm: signingAlgorithmFor(params.keys.privateKey),
    extensions,
  });
  return encodePem(csr.rawData, 'CERTIFICATE REQUEST');
}

/** PKCS#8 "-----BEGIN PRIVATE KEY-----" PEM, the form openssl, node:tls and cfssl all read. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  if (!key.extractable) throw new PkiError('BAD_INPUT', 'This private key was made non-extractable and cannot be saved');
  return encodePem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function exportPublicKeyPem(key: CryptoKey): Promise<string> {
  return encodePem(await webcrypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}

const IMPORT_CANDIDATES: (RsaHashedImportParams | EcKeyImportParams)[] = [
  { name: 'ECDSA', namedCurve: 'P-256' },
  { name: 'ECDSA', namedCurve: 'P-384' },
  { name: 'ECDSA', namedCurve: 'P-521' },
  { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
];

/**
 * Imports a PKCS#8 private key PEM for signing. The algorithm is found by trying each supported
 * one, because WebCrypto needs it up front and PKCS#8 parsing would need another ASN.1 library.
 */
export async function importPrivateKeyPem(pem: string, extractable = true): Promise<CryptoKey> {
  const block = decodePemBlocks(pem).find((b) => b.label === 'PRIVATE KEY');
  if (!block) {
    const other = decodePemBlocks(pem)[0]?.label;
    throw new PkiError(
      other ? 'WRONG_TYPE' : 'NOT_PEM_OR_DER',
      other === 'RSA PRIVATE KEY' || other === 'EC PRIVATE KEY'
        ? `This is a legacy "${other}" PEM; convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem`
        : 'Expected a PKCS#8 private key (-----BEGIN PRIVATE KEY-----)',
    );
  }
  for (const alg of IMPORT_CANDIDATES) {
    try {
      return await webcrypto.subtle.importKey('pkcs8', block.der, alg, extractable, ['sign']);
    } catch {
      // next candidate
    }
  }
  throw new PkiError('UNSUPPORTED_KEY', 'The private key is not an RSA or ECDSA (P-256/P-384/P-521) key');
}

/** Derives the public key of a private key (WebCrypto keeps them apart), via JWK. */
export async function publicKeyFromPrivate(privateKey: CryptoKey): Promise<CryptoKey> {
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  delete jwk.d;
  delete jwk.dp;
  delete jwk.dq;
  delete jwk.q;
  delete jwk.qi;
  delete jwk.p;
  delete jwk.oth;
  jwk.key_ops = ['verify'];
  return webcrypto.subtle.importKey('jwk', jwk, privateKey.algorithm as RsaHashedImportParams | EcKeyImportParams, true, [
    'verify',
  ]);
}

export interface KeyAndCsr {
  privateKeyPem: string;
  csrPem: string;
  keys: CryptoKeyPair;
}

/** One call for the common case: a new key and a CSR for it. */
export async function generateKeyAndCsr(
  params: Omit<CreateCsrParams, 'keys'> & KeyOptions,
): Promise<KeyAndCsr> {
  const keys = await generateKeyPair(params);
  const csrPem = await createCsr({ keys, subject: params.subject, sans: params.sans });
  return { keys, csrPem, privateKeyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * Reads what a device has, in the browser: PEM or DER certificates (.pem/.crt/.cer/.der), PKCS#12
 * bundles (.p12/.pfx) with their password, and an optional private key, which is checked against
 * the certificate here and never sent anywhere.
 */
import { buildPkcs12, importPrivateKeyPem, isPkiError, parseCertificateChain, parsePkcs12, publicKeyFromPrivate, type ParsedCertificate } from '@/lib/pki';
import { sha256Hex, webcrypto } from '@/lib/pki/crypto';
import { decodePemBlocks, encodePem } from '@/lib/pki/pem';
import type { BrowserFacts, CertificateSummary, InputKind } from './types';

export interface DoctorInput {
  /** Pasted text, if any. */
  text?: string;
  /** An uploaded file, if any (wins over text). */
  file?: { name: string; bytes: Uint8Array };
  /** PKCS#12 password. */
  password?: string;
  /** Pasted private key PEM (optional). */
  keyPem?: string;
}

export interface ReadResult {
  facts: BrowserFacts;
  /** The leaf certificate PEM (public: the only thing sent to the server). */
  certificatePem: string | null;
  /** The private key, kept in memory for conversions (PKCS#12); never sent. */
  privateKeyPem: string | null;
  /** The rest of the chain found in the input. */
  chainPem: string[];
}

export function summarize(c: ParsedCertificate): CertificateSummary {
  return {
    serialNumber: c.serialNumber,
    fingerprintSha256: c.fingerprintSha256,
    ski: c.ski,
    aki: c.aki,
    subjectDn: c.subject.dn,
    commonName: c.subject.CN ?? null,
    issuerDn: c.issuer.dn,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyType: c.keyType,
    keySize: c.keySize,
    curve: c.curve ?? null,
    signatureAlgorithm: c.signatureAlgorithm,
    sans: c.sans,
    isSelfSigned: c.isSelfSigned,
    isCa: c.isCa,
    extendedKeyUsage: c.extendedKeyUsage,
    pem: c.pem,
  };
}

const isPkcs12Name = (name: string) => /\.(p12|pfx)$/i.test(name);

function looksLikePem(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 100)).replace(/^\uFEFF/, '').trimStart().startsWith('-----BEGIN');
}

/** Is this key the certificate's? WebCrypto for PKCS#8; legacy RSA/EC PEMs through the PKCS#12 builder, which checks the pair. */
async function checkKey(keyText: string, certificatePem: string, spkiSha256: string): Promise<BrowserFacts['keyCheck']> {
  const block = decodePemBlocksSafe(keyText).find((b) => b.label.endsWith('PRIVATE KEY'));
  const label = block?.label;
  const keyPem = block ? encodePem(block.der, block.label) : keyText;
  try {
    if (label === 'PRIVATE KEY') {
      const key = await importPrivateKeyPem(keyPem);
      const spki = await webcrypto.subtle.exportKey('spki', await publicKeyFromPrivate(key));
      const alg = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
      const keyDescription = alg.namedCurve ? `ECDSA ${alg.namedCurve}` : `RSA ${alg.modulusLength ?? ''}`.trim();
      return (await sha256Hex(spki)) === spkiSha256
        ? { given: true, matches: true, keyDescription }
        : { given: true, matches: false, reason: 'MISMATCH', message: 'The private key does not belong to this certificate: their public keys differ.' };
    }
    if (label === 'RSA PRIVATE KEY' || label === 'EC PRIVATE KEY') {
      await buildPkcs12({ certificatePem, privateKeyPem: keyPem, password: 'check', iterations: 1 });
      return { given: true, matches: true, keyDescription: label === 'RSA PRIVATE KEY' ? 'RSA (PKCS#1 PEM)' : 'EC (SEC1 PEM)' };
    }
    if (label === 'ENCRYPTED PRIVATE KEY') {
      return { given: true, matches: false, reason: 'UNREADABLE', message: 'The private key is encrypted; decrypt a copy first (openssl pkey -in key.pem -out plain-key.pem) or give the .p12 instead.' };
    }
    return { given: true, matches: false, reason: 'UNREADABLE', message: 'This is not a private key PEM (-----BEGIN PRIVATE KEY-----).' };
  } catch (error) {
    if (isPkiError(error) && /does not belong/.test(error.message)) {
      return { given: true, matches: false, reason: 'MISMATCH', message: 'The private key does not belong to this certificate: their public keys differ.' };
    }
    return { given: true, matches: false, reason: 'UNREADABLE', message: `The private key cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function failure(inputKind: InputKind | null, failureCode: Extract<BrowserFacts['read'], { ok: false }>['failure'], message: string): ReadResult {
  return { facts: { inputKind, read: { ok: false, failure: failureCode, message }, keyCheck: { given: false } }, certificatePem: null, privateKeyPem: null, chainPem: [] };
}

/** Explains PEM text that holds no certificate. */
function explainText(text: string): ReadResult | null {
  const labels = decodePemBlocksSafe(text).map((b) => b.label);
  if (labels.some((l) => l.endsWith('PRIVATE KEY')) && !labels.includes('CERTIFICATE')) {
    return failure('pem', 'PRIVATE_KEY_ONLY', 'This is a private key, not a certificate. Paste the certificate (-----BEGIN CERTIFICATE-----) above and the key in the private-key box.');
  }
  if (labels.some((l) => l.includes('CERTIFICATE REQUEST')) && !labels.includes('CERTIFICATE')) {
    return failure('pem', 'CSR', 'This is a certificate signing request (CSR), not a certificate: the certificate is what Cloudflare returned when it signed the CSR.');
  }
  return null;
}

function decodePemBlocksSafe(text: string) {
  try {
    return decodePemBlocks(text);
  } catch {
    return [];
  }
}

/** Reads the input into facts, a certificate to ask the server about, and (kept here) the key. */
export async function readDoctorInput(input: DoctorInput): Promise<ReadResult> {
  let certificates: ParsedCertificate[] = [];
  let inputKind: InputKind | null = null;
  let keyPem = input.keyPem?.trim() ? input.keyPem : null;

  if (input.file) {
    const { name, bytes } = input.file;
    if (bytes.length === 0) return failure(null, 'EMPTY', `The file ${name} is empty.`);
    const pem = looksLikePem(bytes);
    if (!pem && isPkcs12Name(name)) {
      inputKind = 'pkcs12';
    } else if (pem) {
      inputKind = 'pem';
      const text = new TextDecoder().decode(bytes);
      const explained = explainText(text);
      if (explained) return explained;
      // A PEM file may hold the key too (cat cert.pem key.pem > bundle.pem).
      if (!keyPem) keyPem = decodePemBlocksSafe(text).some((b) => b.label.endsWith('PRIVATE KEY')) ? text : null;
    } else {
      inputKind = 'der';
    }
    try {
      if (inputKind === 'pkcs12') {
        if (!input.password) return failure('pkcs12', 'NEEDS_PASSWORD', 'This is a PKCS#12 bundle: enter its password to open it.');
        const p12 = await parsePkcs12(bytes, input.password);
        certificates = await parseCertificateChain([p12.certificatePem, ...p12.chainPem].join('\n'));
        keyPem = p12.privateKeyPem;
      } else {
        certificates = await parseCertificateChain(bytes);
      }
    } catch (error) {
      if (isPkiError(error) && error.code === 'BAD_PASSWORD') {
        return failure('pkcs12', 'BAD_PASSWORD', 'The PKCS#12 password is wrong (or the file is damaged): nothing in it could be read.');
      }
      if (inputKind === 'der' && !isPkcs12Name(name)) {
        // Not a DER certificate: maybe a PKCS#12 with another extension.
        if (input.password) return readDoctorInput({ ...input, file: { name: `${name}.p12`, bytes } });
        return failure('der', 'NOT_A_CERTIFICATE', `This file is neither a PEM nor a DER certificate. If it is a PKCS#12 bundle (.p12/.pfx), enter its password. (${isPkiError(error) ? error.message : 'unreadable'})`);
      }
      return failure(inputKind, 'NOT_A_CERTIFICATE', isPkiError(error) ? error.message : 'This cannot be read as a certificate.');
    }
  } else {
    const text = input.text ?? '';
    if (!text.trim()) return failure(null, 'EMPTY', 'Paste a certificate or choose a file first.');
    inputKind = 'pem';
    const explained = explainText(text);
    if (explained) return explained;
    try {
      certificates = await parseCertificateChain(text);
    } catch (error) {
      return failure('pem', 'NOT_A_CERTIFICATE', isPkiError(error) ? error.message : 'This cannot be read as a certificate.');
    }
  }

  const leaf = certificates.length === 1 ? certificates[0]! : (certificates.find((c) => !c.isCa) ?? certificates[0]!);
  const chain = certificates.filter((c) => c !== leaf).map((c) => c.pem);
  const keyCheck = keyPem ? await checkKey(keyPem, leaf.pem, leaf.spkiSha256) : ({ given: false } as const);
  const keyBlock = keyPem ? decodePemBlocksSafe(keyPem).find((b) => b.label.endsWith('PRIVATE KEY')) : undefined;
  return {
    facts: { inputKind, read: { ok: true, certificate: summarize(leaf), chainLength: certificates.length }, keyCheck },
    certificatePem: leaf.pem,
    privateKeyPem: keyCheck.given && keyCheck.matches && keyBlock ? encodePem(keyBlock.der, keyBlock.label) : null,
    chainPem: chain,
  };
}

/**
 * The emulator's two certificate authorities:
 * - the zone's "Cloudflare Managed CA", which signs API Shield client certificates
 *   (seed 001: "Cloudflare generates a unique CA for each zone");
 * - a stand-in "public" CA, playing the publicly trusted CA a customer takes a custom CSR to
 *   (seed 004), and signing the local edge's TLS certificate.
 * Both are RSA 2048 like Cloudflare's managed CAs (their client certificates say SHA256WithRSA).
 * The public CA must stay RSA: issueServerCertificate is synchronous (the edge calls it from an
 * SNI callback) and node-forge, which can sign synchronously, only signs with RSA keys.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { isIP } from 'node:net';
import { webcrypto, x509 } from '@/lib/pki/crypto';
import { encodePem } from '@/lib/pki/pem';
import { exportPrivateKeyPem, importPrivateKeyPem, subjectToJsonName, type CsrSubject } from '@/lib/pki/keys';
import { normalizeSki } from '@/lib/pki/format';
import { parseCsr } from '@/lib/pki/parse';

export interface CaFiles {
  certPem: string;
  keyPem: string;
}

export interface LoadedCa {
  certPem: string;
  cert: x509.X509Certificate;
  key: CryptoKey;
  keyPem: string;
  /** Lowercase hex SKI, used as the AKI of everything the CA signs. */
  ski: string;
}

const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/**
 * A positive 20-byte serial (RFC 5280 §4.1.2.2 allows at most 20 octets), with a non-zero first
 * octet so DER keeps all 20 bytes — the length Cloudflare's serials have.
 */
export function randomSerialHex(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(20));
  b[0] = (b[0] & 0x7f) || 0x01;
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Certificate times have second precision; Cloudflare reports issued_on without fractions. */
export function wholeSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export async function createCa(subject: CsrSubject, years = 15, pathLength?: number): Promise<CaFiles> {
  const keys = (await webcrypto.subtle.generateKey(
    { ...RSA_SHA256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const now = Date.now();
  const cert = await selfSignedCa(keys, {
    serialNumber: randomSerialHex(),
    name: subjectToJsonName(subject),
    // Back-dated an hour so a device whose clock runs slightly behind still accepts it.
    notBefore: wholeSecond(now - 3_600_000),
    notAfter: wholeSecond(now + years * 365 * DAY_MS),
    signingAlgorithm: RSA_SHA256,
    pathLength,
  });
  return { certPem: encodePem(cert.rawData, 'CERTIFICATE'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * A self-signed CA certificate over `keys`: CA:TRUE (critical, with `pathLength` if given), keyCertSign and
 * cRLSign, and its own key's identifier as SKI and AKI. The emulator's CAs and the tests' CAs (testing/test-pki.ts).
 */
export async function selfSignedCa(
  keys: CryptoKeyPair,
  o: { serialNumber: string; name: x509.JsonName | string; notBefore: Date; notAfter: Date; signingAlgorithm: Algorithm | EcdsaParams; pathLength?: number },
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: o.serialNumber,
    name: o.name,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    keys,
    signingAlgorithm: o.signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, o.pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

export async function loadCa(files: CaFiles): Promise<LoadedCa> {
  const cert = new x509.X509Certificate(files.certPem);
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new Error('CA certificate has no subject key identifier');
  return { certPem: files.certPem, cert, key: await importPrivateKeyPem(files.keyPem), keyPem: files.keyPem, ski: normalizeSki(ski.keyId) };
}

export interface IssueClientCertParams {
  csrDer: Uint8Array<ArrayBuffer>;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A leaf for a CSR: the CSR's subject and SANs copied as they were encoded, SKI from the CSR's key,
 * AKI = the CA's SKI, not a CA, and the one extended key usage given.
 */
async function signLeaf(ca: LoadedCa, p: IssueClientCertParams, usage: x509.ExtendedKeyUsage): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(p.csrDer);
  const isRsa = (csr.publicKey.algorithm as Algorithm).name.startsWith('RSA');
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | (isRsa ? x509.KeyUsageFlags.keyEncipherment : 0),
      true,
    ),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
    new x509.AuthorityKeyIdentifierExtension(ca.ski),
  ];
  const san = csr.getExtension('2.5.29.17');
  if (san) extensions.push(new x509.Extension(san.type, false, san.value));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: p.serialHex,
    subject: new x509.Name(csr.subjectName.toArrayBuffer()),
    issuer: ca.cert.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: csr.publicKey,
    signingKey: ca.key,
    signingAlgorithm: RSA_SHA256,
    extensions,
  });
  return encodePem(cert.rawData, 'CERTIFICATE');
}

/** An API Shield client certificate (EKU clientAuth) signed by the zone's managed CA. */
export function issueClientCertificate(ca: LoadedCa, p: IssueClientCertParams): Promise<string> {
  return signLeaf(ca, p, x509.ExtendedKeyUsage.clientAuth);
}

/**
 * A TLS server certificate signed by the public CA, as a public CA would sign a customer's CSR
 * (seed 004). Used by `npm run emulator:sign` and tests.
 */
export function signCsrWithPublicCa(ca: LoadedCa, csrDer: Uint8Array<ArrayBuffer>, days: number): Promise<string> {
  const now = Date.now();
  return signLeaf(
    ca,
    { csrDer, serialHex: randomSerialHex(), notBefore: wholeSecond(now - 3_600_000), notAfter: wholeSecond(now + days * DAY_MS) },
    x509.ExtendedKeyUsage.serverAuth,
  );
}

/**
 * Synchronous server certificate (see the file comment): one RSA key per CA instance, reused,
 * since the edge may ask again for each new SNI name.
 */
export class ServerCertificateIssuer {
  private forgeCaCert: forge.pki.Certificate;
  private forgeCaKey: forge.pki.rsa.PrivateKey;
  private serverKey?: { keyPem: string; publicKey: KeyObject };

  constructor(private readonly ca: LoadedCa) {
    this.forgeCaCert = forge.pki.certificateFromPem(ca.certPem);
    this.forgeCaKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  }

  issue(hostnames: string[]): { certPem: string; keyPem: string } {
    if (!this.serverKey) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.serverKey = {
        keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKey: createPublicKey(privateKey),
      };
    }
    const names = [...new Set(hostnames.filter(Boolean))];
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(this.serverKey.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = randomSerialHex();
    const now = Date.now();
    cert.validity.notBefore = wholeSecond(now - 3_600_000);
    cert.validity.notAfter = wholeSecond(now + 397 * DAY_MS);
    const cn = names.find((n) => !isIP(n)) ?? names[0] ?? 'localhost';
    cert.setSubject([
      { shortName: 'O', value: 'certfleet local edge' },
      { shortName: 'CN', value: cn },
    ]);
    cert.setIssuer(this.forgeCaCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
      },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(this.ca.ski) },
    ]);
    cert.sign(this.forgeCaKey, forge.md.sha256.create());
    return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem: this.serverKey.keyPem };
  }
}

/** `npm run emulator:sign`: sign with the public CA files under `<dataDir>/ca` without opening the store. */
export async function signWithPublicCaFiles(caDir: string, csrPem: string, days: number): Promise<string> {
  const ca = await loadCa({
    certPem: readFileSync(join(caDir, 'public-ca.pem'), 'utf8'),
    keyPem: readFileSync(join(caDir, 'public-ca.key'), 'utf8'),
  });
  const csr = await parseCsr(csrPem);
  return signCsrWithPublicCa(ca, csr.der, days);
}

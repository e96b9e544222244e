// Real CAs and certificates for tests of the edge and the simulator, plus an in-memory EdgeStore over them.
// Not a mock of our code: EdgeStore is the interface the emulator implements; this one is made of real X.509
// (ECDSA P-256 through @peculiar/x509), so every test does genuine TLS handshakes and chain checks.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { selfSignedCa } from '../ca';
import type { CertificateStatus, EdgeStore } from '../edge';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface TestCa {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  certPem: string;
}

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** Uppercase hex, as `openssl x509 -serial` prints it. */
  serial: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  /** Subject key identifier, lowercase hex. */
  ski: string;
}

export interface IssueOptions {
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
  dnsNames?: string[];
  usage?: 'client' | 'server';
}

/** Positive, 16 random bytes, first bit clear so DER needs no leading zero byte. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function createCa(commonName: string, validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await selfSignedCa(keys, {
    serialNumber: randomSerial(),
    name: `CN=${commonName}, O=certfleet tests, C=US`,
    notBefore: validity.notBefore ?? new Date(Date.now() - DAY),
    notAfter: validity.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
  });
  return { cert, keys, certPem: `${cert.toString('pem')}\n` };
}

export async function issueCertificate(ca: TestCa, opts: IssueOptions): Promise<TestCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const usage = opts.usage ?? 'client';
  const names = opts.dnsNames ?? [];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (names.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    // The seed's CSR subject (seed 001), so DN formatting is exercised with a comma in O.
    subject: `C=US, ST=Texas, L=Austin, O=Temperature Testers\\, Inc., OU=Tech Operations, CN=${opts.commonName}`,
    issuer: ca.cert.subject,
    notBefore: opts.notBefore ?? new Date(Date.now() - 60_000),
    notAfter: opts.notAfter ?? new Date(Date.now() + 30 * DAY),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
  const der = Buffer.from(cert.rawData);
  const node = new X509Certificate(der);
  return {
    certPem: `${cert.toString('pem')}\n`,
    keyPem: await pkcs8Pem(keys.privateKey),
    serial: node.serialNumber.toUpperCase(),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    ski: cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId.toLowerCase(),
  };
}

/**
 * An EdgeStore holding a zone CA (client certificates), a "public" CA (the edge's TLS certificate), statuses by
 * serial and hostname associations, all changeable by the test.
 */
export class TestEdgeStore implements EdgeStore {
  readonly statuses = new Map<string, CertificateStatus>();
  associations: string[];

  private constructor(
    readonly zoneCa: TestCa,
    readonly publicCa: TestCa,
    /** One TLS certificate for every name a test uses: EdgeStore.issueServerCertificate is synchronous. */
    readonly serverCert: TestCertificate,
    associations: string[],
  ) {
    this.associations = associations;
  }

  static async create(opts: { associations?: string[]; serverNames?: string[] } = {}): Promise<TestEdgeStore> {
    const associations = opts.associations ?? [];
    const publicCa = await createCa('certfleet tests public CA');
    const serverCert = await issueCertificate(publicCa, {
      commonName: 'localhost',
      dnsNames: [...new Set(['localhost', '127.0.0.1', ...associations, ...(opts.serverNames ?? [])])],
      usage: 'server',
    });
    return new TestEdgeStore(await createCa('Cloudflare Managed CA for certfleet tests'), publicCa, serverCert, associations);
  }

  /** Issues a client certificate from the zone CA and records it as active (as the Cloudflare API would). */
  async issueClient(commonName: string, validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<TestCertificate> {
    const cert = await issueCertificate(this.zoneCa, { commonName, ...validity });
    this.statuses.set(cert.serial, 'active');
    return cert;
  }

  zoneCaCertPem(): string {
    return this.zoneCa.certPem;
  }

  certificateStatusBySerial(serialUpperHex: string): CertificateStatus | undefined {
    return this.statuses.get(serialUpperHex);
  }

  hostnameAssociations(): string[] {
    return [...this.associations];
  }

  issueServerCertificate(): { certPem: string; keyPem: string } {
    return { certPem: this.serverCert.certPem, keyPem: this.serverCert.keyPem };
  }
}

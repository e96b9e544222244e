import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PkiError } from './errors';
import { parseCertificate, parseCertificateChain, parseCsr } from './parse';
import { OPENSSL, openssl, opensslCertIds } from './testing/openssl';

const fx = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const fxBytes = (name: string) => new Uint8Array(readFileSync(join(__dirname, 'fixtures', name)));

async function refusal(p: Promise<unknown>): Promise<PkiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PkiError);
  return err as PkiError;
}

describe('parseCsr — accepted CSRs made by real tools', () => {
  it('reads an openssl req RSA 2048 CSR', async () => {
    const csr = await parseCsr(fx('openssl-rsa2048.csr'));
    expect(csr.keyType).toBe('RSA');
    expect(csr.keySize).toBe(2048);
    expect(csr.signatureValid).toBe(true);
    expect(csr.signatureAlgorithm).toBe('SHA256WithRSA');
    expect(csr.subject).toMatchObject({
      CN: 'sensor-001.devices.upinatoms.com',
      O: 'Temperature Testers, Inc.',
      OU: 'Tech Operations',
      C: 'US',
      ST: 'Texas',
      L: 'Austin',
    });
    expect(csr.sans).toEqual(['sensor-001.devices.upinatoms.com']);
  });

  it('reads an openssl req P-256 CSR', async () => {
    const csr = await parseCsr(fx('openssl-p256.csr'));
    expect(csr).toMatchObject({ keyType: 'EC', keySize: 256, curve: 'P-256', signatureAlgorithm: 'ECDSAWithSHA256' });
  });

  it("reads the seed's cfssl genkey CSR", async () => {
    const csr = await parseCsr(fx('cfssl-rsa2048.csr'));
    expect(csr.subject.CN).toBe('ios-bootstrap.devices.upinatoms.com');
    expect(csr.sans).toEqual(['ios-bootstrap.devices.upinatoms.com']);
    expect(csr.keySize).toBe(2048);
  });

  it('gives the same answer for PEM with \\n, \\r\\n, JSON-escaped \\n, PEM bytes and DER', async () => {
    const pem = fx('openssl-p256.csr');
    const derBytes = new Uint8Array(execFileSync(OPENSSL, ['req', '-outform', 'DER'], { input: pem }));
    const variants = [pem, pem.replace(/\n/g, '\r\n'), pem.replace(/\n/g, '\\n'), new TextEncoder().encode(pem), derBytes];
    const parsed = await Promise.all(variants.map((v) => parseCsr(v)));
    for (const p of parsed) {
      expect(p.pem).toBe(pem);
      expect(p.spkiSha256).toBe(parsed[0].spkiSha256);
    }
  });

  it('matches the public key openssl sees (spki SHA-256)', async () => {
    const csr = await parseCsr(fx('openssl-p256.csr'));
    const spkiPem = openssl(['req', '-noout', '-pubkey'], fx('openssl-p256.csr'));
    const pubDer = execFileSync(OPENSSL, ['pkey', '-pubin', '-outform', 'DER'], { input: spkiPem });
    expect(csr.spkiSha256).toBe(createHash('sha256').update(pubDer).digest('hex'));
  });
});

describe('parseCsr — refusals with a clear message', () => {
  it('garbage text', async () => {
    const e = await refusal(parseCsr('hello, I am a CSR'));
    expect(e.code).toBe('NOT_PEM_OR_DER');
    expect(e.message).toMatch(/BEGIN CERTIFICATE REQUEST/);
  });
  it('garbage bytes', async () => {
    const e = await refusal(parseCsr(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])));
    expect(e.code).toBe('MALFORMED');
  });
  it('empty input', async () => {
    expect((await refusal(parseCsr('   '))).code).toBe('EMPTY');
  });
  it('a truncated PEM', async () => {
    const e = await refusal(parseCsr(fx('openssl-p256.csr').split('\n').slice(0, 4).join('\n')));
    expect(e.code).toBe('MALFORMED');
  });
  it('a PEM whose body does not decode: what to do, without the decoder\'s own words', async () => {
    const e = await refusal(parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'));
    expect(e.code).toBe('MALFORMED');
    expect(e.message).toMatch(/Paste the whole PEM/);
    expect(e.message).not.toMatch(/argument|Base64|format of/i);
  });
  it('a certificate where a CSR is expected (wrong PEM label)', async () => {
    const e = await refusal(parseCsr(fx('client.pem')));
    expect(e.code).toBe('WRONG_TYPE');
    expect(e.message).toMatch(/Expected a certificate signing request .* but this is a certificate/);
  });
  it('a certificate in DER where a CSR is expected', async () => {
    expect((await refusal(parseCsr(fxBytes('client.der')))).code).toBe('WRONG_TYPE');
  });
  it('a private key where a CSR is expected, with advice to keep it secret', async () => {
    const e = await refusal(parseCsr(fx('openssl-p256.key')));
    expect(e.code).toBe('WRONG_TYPE');
    expect(e.message).toMatch(/private key.*Keep private keys secret/);
  });
  it('RSA 1024', async () => {
    const e = await refusal(parseCsr(fx('rsa1024.csr')));
    expect(e.code).toBe('WEAK_KEY');
    expect(e.message).toMatch(/1024 bits; at least 2048/);
  });
  it('a CSR altered after signing', async () => {
    const e = await refusal(parseCsr(fx('tampered.csr')));
    expect(e.code).toBe('BAD_SIGNATURE');
    expect(e.message).toMatch(/signature does not verify/);
  });
  it('a CSR without a subject', async () => {
    const e = await refusal(parseCsr(fx('no-subject.csr')));
    expect(e.code).toBe('NO_SUBJECT');
  });
  it('non-strict mode reports the facts instead', async () => {
    const weak = await parseCsr(fx('rsa1024.csr'), { strict: false });
    expect(weak.keySize).toBe(1024);
    const tampered = await parseCsr(fx('tampered.csr'), { strict: false });
    expect(tampered.signatureValid).toBe(false);
    expect(tampered.subject.CN).toBe('sensor-666.devices.upinatoms.com');
  });
});

describe('parseCertificate', () => {
  it('agrees with openssl x509 on serial, SKI, AKI, fingerprint and dates', async () => {
    const pem = fx('client.pem');
    const cert = await parseCertificate(pem);
    const ossl = opensslCertIds(pem);
    expect(cert.serialNumber).toBe(ossl.serial);
    expect(cert.ski).toBe(ossl.ski);
    expect(cert.aki).toBe(ossl.aki);
    expect(cert.fingerprintSha256).toBe(ossl.fingerprintSha256);
    expect(cert.notBefore.getTime()).toBe(ossl.notBefore.getTime());
    expect(cert.notAfter.getTime()).toBe(ossl.notAfter.getTime());
  });

  it('reads subject, issuer, SANs, key and usage', async () => {
    const cert = await parseCertificate(fx('client.pem'));
    expect(cert.subject.CN).toBe('sensor-001.devices.upinatoms.com');
    expect(cert.issuer.CN).toBe('Fixture Root CA');
    expect(cert.sans).toEqual(['sensor-001.devices.upinatoms.com']);
    expect(cert).toMatchObject({ keyType: 'EC', curve: 'P-256', isSelfSigned: false, isCa: false });
    expect(cert.extendedKeyUsage).toEqual(['clientAuth']);
    // A certificate issued for a CSR carries the CSR's public key.
    expect(cert.spkiSha256).toBe((await parseCsr(fx('openssl-p256.csr'))).spkiSha256);
  });

  it('recognises a self-signed CA', async () => {
    const ca = await parseCertificate(fx('ca.pem'));
    expect(ca).toMatchObject({ isSelfSigned: true, isCa: true });
    expect(ca.ski).toBe(opensslCertIds(fx('ca.pem')).ski);
  });

  it('reads DER and CRLF PEM the same way', async () => {
    const a = await parseCertificate(fx('client.pem'));
    const b = await parseCertificate(fxBytes('client.der'));
    const c = await parseCertificate(fx('client-crlf.pem'));
    expect(b.fingerprintSha256).toBe(a.fingerprintSha256);
    expect(c.fingerprintSha256).toBe(a.fingerprintSha256);
    expect(c.pem).toBe(fx('client.pem'));
  });

  it('reads a chain leaf first', async () => {
    const chain = await parseCertificateChain(fx('client.pem') + fx('ca.pem'));
    expect(chain.map((c) => c.subject.CN)).toEqual(['sensor-001.devices.upinatoms.com', 'Fixture Root CA']);
  });

  it('refuses a CSR where a certificate is expected', async () => {
    const e = await refusal(parseCertificate(fx('openssl-p256.csr')));
    expect(e.code).toBe('WRONG_TYPE');
    expect(e.message).toMatch(/Expected a certificate .* but this is a certificate signing request/);
  });
});

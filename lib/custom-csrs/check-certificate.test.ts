import { describe, expect, it } from 'vitest';
import { createCa, loadCa, signCsrWithPublicCa } from '@/emulator/ca';
import { generateKeyAndCsr, parseCsr } from '@/lib/pki';
import { encodePem } from '@/lib/pki/pem';
import { x509 } from '@/lib/pki/crypto';
import { checkSignedCertificate } from './check-certificate';

const HOST = 'shop.acme-corp.com';
const ca = await loadCa(await createCa({ CN: 'Test Public Root', O: 'Test' }));
const csr = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: HOST, O: 'Acme' }, sans: [HOST, 'www.acme-corp.com'] });
const sign = async (csrPem: string, days = 30) => signCsrWithPublicCa(ca, (await parseCsr(csrPem)).der, days);

describe('checkSignedCertificate', () => {
  it('accepts a certificate the CA signed for this CSR, alone or followed by its chain', async () => {
    const cert = await sign(csr.csrPem);
    expect((await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: cert, hostname: HOST })).ok).toBe(true);
    const withChain = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: `${cert}${ca.certPem}`, hostname: 'www.acme-corp.com' });
    expect(withChain).toMatchObject({ ok: true });
  });

  it('refuses a certificate for another key', async () => {
    const other = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: HOST }, sans: [HOST] });
    const result = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: await sign(other.csrPem), hostname: HOST });
    expect(result.problems.map((p) => p.code)).toEqual(['KEY_MISMATCH']);
    expect(result.problems[0]!.message).toContain('was not issued for this CSR');
  });

  it('refuses a self-signed certificate, even for the right key', async () => {
    const self = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${HOST}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keys: csr.keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: HOST }])],
    });
    const result = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: encodePem(self.rawData, 'CERTIFICATE'), hostname: HOST });
    expect(result.problems.map((p) => p.code)).toEqual(['SELF_SIGNED']);
    expect(result.problems[0]!.message).toContain('self-signed');
  });

  it('refuses a hostname the certificate does not cover, and names the ones it does', async () => {
    const result = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: await sign(csr.csrPem), hostname: 'api.acme-corp.com' });
    expect(result.problems.map((p) => p.code)).toEqual(['HOSTNAME_NOT_COVERED']);
    expect(result.problems[0]!.message).toContain(`${HOST}, www.acme-corp.com`);
  });

  it('refuses an expired certificate and one not valid yet', async () => {
    const cert = await sign(csr.csrPem, 1);
    const later = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: cert, hostname: HOST, now: new Date(Date.now() + 3 * 86_400_000) });
    expect(later.problems.map((p) => p.code)).toEqual(['EXPIRED']);
    const earlier = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: cert, hostname: HOST, now: new Date(Date.now() - 86_400_000) });
    expect(earlier.problems.map((p) => p.code)).toEqual(['NOT_YET_VALID']);
  });

  it('explains text that is not a certificate', async () => {
    const result = await checkSignedCertificate({ csrPem: csr.csrPem, certificatePem: csr.privateKeyPem, hostname: HOST });
    expect(result.problems[0]).toMatchObject({ code: 'UNREADABLE' });
    expect(result.problems[0]!.message).toContain('private key');
  });
});

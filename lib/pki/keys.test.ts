import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsr, exportPrivateKeyPem, generateKeyAndCsr, generateKeyPair, importPrivateKeyPem } from './keys';
import { parseCsr } from './parse';
import { openssl } from './testing/openssl';

const subject = { CN: 'sensor-042.devices.upinatoms.com', O: 'Temperature Testers, Inc.', OU: 'Tech Operations', C: 'US', ST: 'Texas', L: 'Austin' };

describe('keys and CSRs made in WebCrypto', () => {
  it('makes a P-256 key and a CSR that openssl verifies and reads the same way', async () => {
    const { csrPem, privateKeyPem } = await generateKeyAndCsr({ subject, sans: [subject.CN, '10.0.0.7'] });
    expect(openssl(['req', '-noout', '-verify'], csrPem + '\n')).toBe('');
    const text = openssl(['req', '-noout', '-text'], csrPem);
    expect(text).toMatch(/O = "Temperature Testers, Inc."/);
    expect(text).toMatch(/DNS:sensor-042\.devices\.upinatoms\.com, IP Address:10\.0\.0\.7/);
    // The exported key is the CSR's key: openssl derives the same public key from both.
    const fromKey = openssl(['pkey', '-pubout'], privateKeyPem);
    const fromCsr = openssl(['req', '-noout', '-pubkey'], csrPem);
    expect(fromKey).toBe(fromCsr);
    const parsed = await parseCsr(csrPem);
    expect(parsed).toMatchObject({ keyType: 'EC', curve: 'P-256', signatureValid: true, subject: { ...subject } });
  });

  it('makes an RSA 2048 CSR', async () => {
    const keys = await generateKeyPair({ algorithm: 'RSA' });
    const csr = await parseCsr(await createCsr({ keys, subject: { CN: 'rsa-device' } }));
    expect(csr).toMatchObject({ keyType: 'RSA', keySize: 2048, signatureAlgorithm: 'SHA256WithRSA' });
  });

  it('imports an openssl-made PKCS#8 key and signs with it', async () => {
    const pem = readFileSync(join(__dirname, 'fixtures', 'openssl-p256.key'), 'utf8');
    const key = await importPrivateKeyPem(pem);
    expect((key.algorithm as EcKeyAlgorithm).namedCurve).toBe('P-256');
    expect(await exportPrivateKeyPem(key)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('points legacy key PEMs at the conversion command', async () => {
    const legacy = openssl(['ec'], readFileSync(join(__dirname, 'fixtures', 'openssl-p256.key'), 'utf8'));
    await expect(importPrivateKeyPem(legacy)).rejects.toThrow(/openssl pkcs8 -topk8/);
  });
});

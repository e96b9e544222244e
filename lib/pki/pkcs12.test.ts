import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PkiError } from './errors';
import { buildPkcs12, parsePkcs12 } from './pkcs12';
import { parseCertificate } from './parse';
import { OPENSSL, openssl } from './testing/openssl';

const fx = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'certfleet-p12-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslReads(p12: Uint8Array, password: string): string {
  const file = join(dir, `b${Math.random().toString(16).slice(2)}.p12`);
  writeFileSync(file, p12);
  return openssl(['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nodes']);
}

describe('buildPkcs12', () => {
  for (const algorithm of ['aes256', '3des'] as const) {
    it(`makes a ${algorithm} bundle that openssl pkcs12 opens (EC key + chain)`, async () => {
      const p12 = await buildPkcs12({
        certificatePem: fx('client.pem'),
        privateKeyPem: fx('openssl-p256.key'),
        chainPem: fx('ca.pem'),
        password: 's3cret!',
        friendlyName: 'sensor-001',
        algorithm,
      });
      const out = opensslReads(p12, 's3cret!');
      expect(out).toMatch(/friendlyName: sensor-001/);
      expect(out.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      expect(out).toMatch(/BEGIN PRIVATE KEY/);
      expect(() => opensslReads(p12, 'wrong')).toThrow();
    });
  }

  it('accepts the legacy SEC1 "EC PRIVATE KEY" form openssl ec writes', async () => {
    const sec1 = openssl(['ec'], fx('openssl-p256.key'));
    expect(sec1).toMatch(/BEGIN EC PRIVATE KEY/);
    const p12 = await buildPkcs12({ certificatePem: fx('client.pem'), privateKeyPem: sec1, password: 'pw' });
    expect(opensslReads(p12, 'pw')).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const other = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    await expect(
      buildPkcs12({ certificatePem: fx('client.pem'), privateKeyPem: other, password: 'x' }),
    ).rejects.toThrow(/does not belong to this certificate/);
  });
});

describe('parsePkcs12', () => {
  it('round-trips a bundle made by buildPkcs12', async () => {
    const p12 = await buildPkcs12({ certificatePem: fx('client.pem'), privateKeyPem: fx('openssl-p256.key'), chainPem: [fx('ca.pem')], password: 'pw' });
    const parsed = await parsePkcs12(p12, 'pw');
    expect(parsed.certificatePem).toBe(fx('client.pem'));
    expect(parsed.chainPem).toEqual([fx('ca.pem')]);
    expect(openssl(['pkey', '-pubout'], parsed.privateKeyPem)).toBe(openssl(['pkey', '-pubout'], fx('openssl-p256.key')));
  });

  it('opens what `openssl pkcs12 -export` wrote (seed 001 step 3), RSA key', async () => {
    const key = join(dir, 'rsa.key');
    const crt = join(dir, 'rsa.pem');
    execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=ios-bootstrap', '-days', '30', '-out', crt], { stdio: 'ignore' });
    const out = join(dir, 'bootstrap-cert.pfx');
    execFileSync(OPENSSL, ['pkcs12', '-export', '-out', out, '-inkey', key, '-in', crt, '-passout', 'pass:pw']);
    const parsed = await parsePkcs12(new Uint8Array(readFileSync(out)), 'pw');
    expect((await parseCertificate(parsed.certificatePem)).subject.CN).toBe('ios-bootstrap');
    expect(openssl(['pkey', '-pubout'], parsed.privateKeyPem)).toBe(openssl(['pkey', '-pubout', '-in', key]));
  });

  it('says the password is wrong, not that the file is corrupt', async () => {
    const p12 = await buildPkcs12({ certificatePem: fx('client.pem'), privateKeyPem: fx('openssl-p256.key'), password: 'right' });
    const err = await parsePkcs12(p12, 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('BAD_PASSWORD');
    expect((err as PkiError).message).toMatch(/password is wrong/);
  });

  it('refuses something that is not a PKCS#12', async () => {
    await expect(parsePkcs12(new TextEncoder().encode('not a p12'), 'x')).rejects.toMatchObject({ code: 'MALFORMED' });
  });
});

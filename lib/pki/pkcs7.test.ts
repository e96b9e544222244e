import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { base64Decode, buildCertsOnlyPkcs7, certificatesFromPem, certificatesFromPkcs7, certsOnlyBase64 } from './pkcs7';

const run = promisify(execFile);
const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('certs-only PKCS#7', () => {
  it('is what openssl pkcs7 reads, certificates in order, and what certificatesFromPkcs7 reads back', async () => {
    const pems = (await fixture('client.pem')) + (await fixture('ca.pem'));
    const b64 = certsOnlyBase64(pems);
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-p7-'));
    try {
      await writeFile(path.join(dir, 'p7.der'), base64Decode(b64));
      const { stdout } = await run('openssl', ['pkcs7', '-inform', 'DER', '-in', path.join(dir, 'p7.der'), '-print_certs']);
      const printed = certificatesFromPem(stdout);
      expect(printed).toEqual(certificatesFromPem(pems));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(certificatesFromPkcs7(b64).join('')).toBe(certificatesFromPem(pems).map((der) => certificatesFromPkcs7(buildCertsOnlyPkcs7([der]))[0]).join(''));
  });

  it('refuses what it cannot encode or decode', () => {
    expect(() => buildCertsOnlyPkcs7([])).toThrow(/at least one certificate/);
    expect(() => buildCertsOnlyPkcs7([Uint8Array.of(1, 2, 3)])).toThrow(/not a DER certificate/);
    expect(() => certificatesFromPkcs7('MAMCAQE=')).toThrow();
  });
});

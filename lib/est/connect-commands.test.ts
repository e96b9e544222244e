// The key-and-CSR steps of the panel's EST commands, run with bash and openssl for names that need quoting and for
// RSA keys. The whole flow against the local edge is in est.edge.test.ts.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x509 } from '../pki/crypto';
import { base64Decode } from '../pki/pkcs7';
import { buildEstCommands, shellQuote, type EstCommandParams } from './connect-commands';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-est-commands-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const params = (over: Partial<EstCommandParams> = {}): EstCommandParams => ({
  connect: { endpoint: 'https://sensors.example.com/temps', serverCaFile: null },
  deviceName: 'sensor-7',
  commonName: 'sensor-7',
  key: { type: 'EC', size: 256 },
  files: { cert: 'sensor-7.pem', key: 'sensor-7-key.pem', chain: 'certfleet-zone-ca.pem' },
  ...over,
});

async function csrIn(file: string) {
  return new x509.Pkcs10CertificateRequest(base64Decode(await readFile(path.join(dir, file), 'utf8')));
}

describe('buildEstCommands', () => {
  it('talks to the edge origin, trusting the local edge CA only when the panel says so', () => {
    const real = buildEstCommands(params());
    expect(real.origin).toBe('https://sensors.example.com');
    expect(real.cacerts.join('\n')).toContain('curl -sS --cert bootstrap.pem --key bootstrap-key.pem https://sensors.example.com/.well-known/est/cacerts');
    const local = buildEstCommands(params({ connect: { endpoint: 'https://localhost:8443/temps', serverCaFile: 'certfleet-edge-ca.pem' } }));
    expect(local.enroll.join('\n')).toContain('curl -sS --cacert certfleet-edge-ca.pem --cert bootstrap.pem');
    expect(local.renew.join('\n')).toContain('https://localhost:8443/.well-known/est/simplereenroll');
  });

  it('quotes a common name with spaces, slashes and quotes so the CSR carries it exactly', async () => {
    const commonName = `cold room 3/4 'north'`;
    const { enroll } = buildEstCommands(params({ commonName }));
    await run('bash', ['-e', '-o', 'pipefail', '-c', enroll[0]!], { cwd: dir });
    const csr = await csrIn('sensor-7.csr.b64');
    expect(csr.subjectName.getField('CN')).toEqual([commonName]);
    expect(await csr.verify()).toBe(true);
    // Made once: running the step again keeps the key and CSR of the first run (the same request).
    const before = await readFile(path.join(dir, 'sensor-7.csr.b64'), 'utf8');
    await run('bash', ['-e', '-o', 'pipefail', '-c', enroll[0]!], { cwd: dir });
    expect(await readFile(path.join(dir, 'sensor-7.csr.b64'), 'utf8')).toBe(before);
  });

  it('renews an RSA certificate with a new RSA key of its size and its subject byte for byte', async () => {
    const subject = '/CN=rsa-sensor/O=Cold Chain/OU=Lab 2';
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:3072', '-nodes', '-keyout', 'rsa-key.pem', '-subj', subject, '-days', '2', '-out', 'rsa.pem'], { cwd: dir });
    const files = { cert: 'rsa.pem', key: 'rsa-key.pem', chain: 'chain.pem' };
    const { renew } = buildEstCommands(params({ key: { type: 'RSA', size: 3072 }, files }));
    await run('bash', ['-e', '-o', 'pipefail', '-c', renew[0]!], { cwd: dir });
    const csr = await csrIn('rsa-next.csr.b64');
    const cert = new x509.X509Certificate(await readFile(path.join(dir, 'rsa.pem'), 'utf8'));
    expect(Buffer.from(csr.subjectName.toArrayBuffer()).equals(Buffer.from(cert.subjectName.toArrayBuffer()))).toBe(true);
    expect(csr.publicKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072 });
    expect(Buffer.from(csr.publicKey.rawData).equals(Buffer.from(cert.publicKey.rawData))).toBe(false);
    expect(await csr.verify()).toBe(true);
  });

  it('shellQuote leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('sensor-7.pem')).toBe('sensor-7.pem');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

import { describe, expect, it } from 'vitest';
import { createCa, issueClientCertificate, loadCa, randomSerialHex } from '@/emulator/ca';
import { buildPkcs12, generateKeyAndCsr, parseCsr } from '@/lib/pki';
import { decodePemBlocks } from '@/lib/pki/pem';
import { readDoctorInput } from './read-input';

const ca = await loadCa(await createCa({ CN: 'Doctor Test CA', O: 'Test' }, 15, 0));
const device = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'sensor-007' } });
const certPem = await issueClientCertificate(ca, {
  csrDer: (await parseCsr(device.csrPem)).der,
  serialHex: randomSerialHex(),
  notBefore: new Date(Date.now() - 60_000),
  notAfter: new Date(Date.now() + 90 * 86_400_000),
});
const other = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: 'someone-else' } });

describe('readDoctorInput', () => {
  it('reads pasted PEM and checks a matching key without keeping any other copy of it', async () => {
    const r = await readDoctorInput({ text: certPem, keyPem: device.privateKeyPem });
    expect(r.facts).toMatchObject({ inputKind: 'pem', read: { ok: true, certificate: { commonName: 'sensor-007' } }, keyCheck: { given: true, matches: true } });
    expect(r.certificatePem).toBe(certPem);
    expect(r.certificatePem).not.toContain('PRIVATE KEY');
  });

  it('catches a key that does not belong to the certificate', async () => {
    const r = await readDoctorInput({ text: certPem, keyPem: other.privateKeyPem });
    expect(r.facts.keyCheck).toMatchObject({ given: true, matches: false, reason: 'MISMATCH' });
    expect(r.privateKeyPem).toBeNull();
  });

  it('reads DER files and PEM files that hold the key too', async () => {
    const der = decodePemBlocks(certPem)[0]!.der;
    expect((await readDoctorInput({ file: { name: 'sensor.cer', bytes: der } })).facts).toMatchObject({ inputKind: 'der', read: { ok: true } });
    const bundle = new TextEncoder().encode(certPem + device.privateKeyPem);
    expect((await readDoctorInput({ file: { name: 'sensor.pem', bytes: bundle } })).facts.keyCheck).toMatchObject({ matches: true });
  });

  it('opens a .p12 with its password and says so plainly when the password is wrong', async () => {
    const p12 = await buildPkcs12({ certificatePem: certPem, privateKeyPem: device.privateKeyPem, password: 'right-password' });
    const good = await readDoctorInput({ file: { name: 'sensor.p12', bytes: p12 }, password: 'right-password' });
    expect(good.facts).toMatchObject({ inputKind: 'pkcs12', read: { ok: true }, keyCheck: { matches: true } });
    const bad = await readDoctorInput({ file: { name: 'sensor.p12', bytes: p12 }, password: 'wrong' });
    expect(bad.facts.read).toMatchObject({ ok: false, failure: 'BAD_PASSWORD' });
    expect(bad.certificatePem).toBeNull();
    expect((await readDoctorInput({ file: { name: 'sensor.p12', bytes: p12 } })).facts.read).toMatchObject({ ok: false, failure: 'NEEDS_PASSWORD' });
  });

  it('explains a key, a CSR or garbage given instead of a certificate', async () => {
    expect((await readDoctorInput({ text: device.privateKeyPem })).facts.read).toMatchObject({ ok: false, failure: 'PRIVATE_KEY_ONLY' });
    expect((await readDoctorInput({ text: device.csrPem })).facts.read).toMatchObject({ ok: false, failure: 'CSR' });
    expect((await readDoctorInput({ text: 'hello' })).facts.read).toMatchObject({ ok: false, failure: 'NOT_A_CERTIFICATE' });
    expect((await readDoctorInput({ text: '  ' })).facts.read).toMatchObject({ ok: false, failure: 'EMPTY' });
  });
});

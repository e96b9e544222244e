import { describe, expect, it } from 'vitest';
import { buildChecklist } from './checklist';
import type { BrowserFacts, CertificateSummary, DoctorKnowledge } from './types';

const NOW = new Date('2026-06-01T12:00:00Z');
const FP = 'a'.repeat(64);
const cert: CertificateSummary = {
  serialNumber: '0A1B',
  fingerprintSha256: FP,
  ski: 'bb',
  aki: 'cc',
  subjectDn: 'CN=sensor-007',
  commonName: 'sensor-007',
  issuerDn: 'CN=Managed CA',
  notBefore: '2026-01-01T00:00:00Z',
  notAfter: '2027-01-01T00:00:00Z',
  keyType: 'EC',
  keySize: 256,
  curve: 'P-256',
  signatureAlgorithm: 'SHA256WithRSA',
  sans: [],
  isSelfSigned: false,
  isCa: false,
  extendedKeyUsage: ['clientAuth'],
  pem: '',
};
const facts = (over: Partial<CertificateSummary> = {}, keyCheck: BrowserFacts['keyCheck'] = { given: false }): BrowserFacts => ({
  inputKind: 'pem',
  read: { ok: true, certificate: { ...cert, ...over }, chainLength: 1 },
  keyCheck,
});
const knowledge = (over: Partial<DoctorKnowledge> = {}): DoctorKnowledge => ({
  zoneCa: { configured: true, subjectDn: 'CN=Managed CA', ski: 'cc', akiMatches: true, signatureValid: true },
  record: {
    certificateId: 'c1',
    cloudflareId: 'cf1',
    status: 'ACTIVE',
    source: 'ENROLLED',
    revocation: null,
    supersededAt: null,
    device: { id: 'd1', name: 'sensor-007', group: 'lab', status: 'ACTIVE', isCanary: false, lastSeenAt: '2026-06-01T11:59:00Z', lastSeenFingerprint: FP },
  },
  cloudflare: { status: 'active', checkedLive: true, error: null },
  certificateLastSeenAt: '2026-06-01T11:59:00Z',
  mtls: { hosts: [{ hostname: 'sensors.acme-corp.com', associated: true, enforced: true, checkedAt: '2026-06-01T11:00:00Z' }], error: null },
  ...over,
});
const verdicts = (lines: ReturnType<typeof buildChecklist>) => Object.fromEntries(lines.map((l) => [l.id, l.verdict]));

describe('buildChecklist', () => {
  it('passes every line for a good certificate with its key', () => {
    const lines = buildChecklist(facts({}, { given: true, matches: true, keyDescription: 'ECDSA P-256' }), knowledge(), NOW);
    expect(verdicts(lines)).toEqual({
      parse: 'pass',
      validity: 'pass',
      issuer: 'pass',
      known: 'pass',
      status: 'pass',
      'key-strength': 'pass',
      'key-match': 'pass',
      host: 'pass',
      'last-seen': 'pass',
    });
    expect(lines.find((l) => l.id === 'known')!.summary).toContain('Device sensor-007');
  });

  it('fails an expired certificate and says what to do', () => {
    const line = buildChecklist(facts({ notAfter: '2026-05-01T00:00:00Z' }), knowledge(), NOW).find((l) => l.id === 'validity')!;
    expect(line).toMatchObject({ verdict: 'fail', summary: expect.stringContaining('Expired on May 1, 2026'), next: expect.stringContaining('Issue a new certificate') });
  });

  it('names who revoked a certificate and why', () => {
    const k = knowledge({
      cloudflare: { status: 'revoked', checkedLive: true, error: null },
      record: { ...knowledge().record!, status: 'REVOKED', revocation: { reason: 'KEY_COMPROMISE', note: 'Stolen in Hamburg', byEmail: 'support@certfleet.local', at: '2026-05-30T10:00:00Z' } },
    });
    const line = buildChecklist(facts(), k, NOW).find((l) => l.id === 'status')!;
    expect(line.verdict).toBe('fail');
    expect(line.summary).toContain('Cloudflare says: revoked.');
    expect(line.summary).toContain('by support@certfleet.local');
    expect(line.summary).toContain('reason: key compromise — “Stolen in Hamburg”');
    // No advice to use a control that does not exist: a revoked certificate cannot be reactivated.
    expect(line.next).not.toMatch(/reactivate/i);
    expect(line.next).toContain('cannot be restored');
  });

  it('fails a certificate from another CA with the openssl check to run', () => {
    const k = knowledge({ zoneCa: { configured: true, subjectDn: 'CN=Managed CA', ski: 'cc', akiMatches: false, signatureValid: false }, record: null, cloudflare: { status: null, checkedLive: true, error: null } });
    const lines = buildChecklist(facts({ issuerDn: 'CN=Other CA' }), k, NOW);
    expect(lines.find((l) => l.id === 'issuer')).toMatchObject({ verdict: 'fail', summary: expect.stringContaining('issued by CN=Other CA'), commands: ['openssl verify -CAfile zone-ca.pem certificate.pem'] });
    expect(verdicts(lines)).toMatchObject({ known: 'fail', status: 'fail' });
  });

  it('fails a mismatched key, saying the key stayed in the browser', () => {
    const line = buildChecklist(facts({}, { given: true, matches: false, reason: 'MISMATCH', message: 'The private key does not belong to this certificate.' }), knowledge(), NOW).find(
      (l) => l.id === 'key-match',
    )!;
    expect(line).toMatchObject({ verdict: 'fail' });
    expect(line.summary).toContain('the key was not sent');
    expect(line.commands?.[0]).toContain('openssl x509 -noout -pubkey');
  });

  it('reports a wrong .p12 password as the only line', () => {
    const lines = buildChecklist({ inputKind: 'pkcs12', read: { ok: false, failure: 'BAD_PASSWORD', message: 'The PKCS#12 password is wrong' }, keyCheck: { given: false } }, null, NOW);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: 'parse', verdict: 'fail', next: expect.stringContaining('password') });
  });

  it('warns when the device was last seen with another certificate, and fails when no host has mTLS', () => {
    const k = knowledge({ certificateLastSeenAt: null, record: { ...knowledge().record!, device: { ...knowledge().record!.device!, lastSeenFingerprint: 'b'.repeat(64) } }, mtls: { hosts: [], error: null } });
    const v = verdicts(buildChecklist(facts(), k, NOW));
    expect(v['last-seen']).toBe('warn');
    expect(v.host).toBe('fail');
  });

  it('offers PEM for DER input and warns a month before expiry', () => {
    const lines = buildChecklist({ ...facts({ notAfter: '2026-06-15T00:00:00Z' }), inputKind: 'der' }, knowledge(), NOW);
    expect(lines.find((l) => l.id === 'parse')?.offer).toEqual(['pem']);
    expect(lines.find((l) => l.id === 'validity')?.verdict).toBe('warn');
  });
});

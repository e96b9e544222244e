import { describe, expect, it } from 'vitest';
import { CustomCsrSchema, parseCustomCsrListSearch, UploadCertificateSchema } from './custom-csr';

const valid = {
  country: 'us',
  state: 'MA',
  locality: 'Boston',
  organization: 'City of Boston',
  commonName: 'shop.acme-corp.com',
  sans: 'www.acme-corp.com\nshop.acme-corp.com',
};

function errorsOf(input: unknown): Record<string, string[]> {
  const parsed = CustomCsrSchema.safeParse(input);
  if (parsed.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (out[String(issue.path[0])] ??= []).push(issue.message);
  return out;
}

describe('CustomCsrSchema', () => {
  it('accepts a form submission: SANs from a textarea, country upper-cased, RSA 2048 by default', () => {
    const parsed = CustomCsrSchema.parse(valid);
    expect(parsed).toMatchObject({ country: 'US', keyType: 'rsa2048', sans: ['www.acme-corp.com', 'shop.acme-corp.com'] });
    expect(CustomCsrSchema.parse({ ...valid, organizationalUnit: '' }).organizationalUnit).toBeUndefined();
  });

  it('accepts JSON with a SAN array and P-256, and puts a missing common name first in the SANs', () => {
    const parsed = CustomCsrSchema.parse({ ...valid, sans: ['www.acme-corp.com'], keyType: 'p256v1', organizationalUnit: 'Web' });
    expect(parsed.sans).toEqual(['shop.acme-corp.com', 'www.acme-corp.com']);
    expect(parsed.keyType).toBe('p256v1');
    expect(parsed.organizationalUnit).toBe('Web');
  });

  it.each([
    ['country', { country: '' }, 'Country is required.'],
    ['country', { country: 'USA' }, 'two-letter ISO 3166-1'],
    ['state', { state: ' ' }, 'State or province is required.'],
    ['locality', { locality: '' }, 'Locality (city) is required.'],
    ['organization', { organization: '' }, 'Organization is required.'],
    ['commonName', { commonName: `${'a'.repeat(61)}.com` }, 'at most 64 characters'],
    ['sans', { sans: '' }, 'at least one subject alternative name'],
    ['sans', { sans: `${'a'.repeat(250)}.acme.com` }, 'at most 255 characters'],
    ['sans', { sans: '10.0.0.1' }, 'is an IP address'],
    ['sans', { sans: 'bücher.de' }, 'non-ASCII'],
    ['sans', { sans: 'app.test' }, 'reserved top-level domain'],
    ['sans', { sans: 'www.example.com' }, 'example.com'],
    ['sans', { sans: '-bad-.acme.com' }, 'not a valid hostname'],
    ['commonName', { commonName: 'Acme Web Server' }, 'must be a hostname too'],
    ['keyType', { keyType: 'rsa4096' }, "RSA 2048 ('rsa2048') or ECDSA P-256 ('p256v1')"],
  ])('refuses a bad %s with a clear message', (field, patch, message) => {
    expect(errorsOf({ ...valid, ...patch })[field]?.join(' ')).toContain(message);
  });

  it('accepts a 64-character common name, the limit', () => {
    const cn = `${'a'.repeat(60)}.com`;
    expect(cn).toHaveLength(64);
    expect(CustomCsrSchema.safeParse({ ...valid, commonName: cn, sans: cn }).success).toBe(true);
  });
});

describe('UploadCertificateSchema', () => {
  it('normalises the hostname and refuses a wildcard or an IP', () => {
    expect(UploadCertificateSchema.parse({ id: 'x', hostname: 'Shop.Acme-Corp.com.', certificate: 'pem' }).hostname).toBe('shop.acme-corp.com');
    expect(UploadCertificateSchema.safeParse({ id: 'x', hostname: '*.acme-corp.com', certificate: 'pem' }).success).toBe(false);
    expect(UploadCertificateSchema.safeParse({ id: 'x', hostname: '192.0.2.1', certificate: 'pem' }).success).toBe(false);
    expect(UploadCertificateSchema.safeParse({ id: 'x', hostname: 'shop.acme-corp.com', certificate: ' ' }).success).toBe(false);
  });
});

describe('parseCustomCsrListSearch', () => {
  it('reads filters and falls back on bad values', () => {
    expect(parseCustomCsrListSearch({ keyType: 'p256v1', inUse: 'yes', sort: 'commonName', dir: 'asc' })).toMatchObject({
      keyType: 'p256v1',
      inUse: true,
      sort: 'commonName',
      dir: 'asc',
    });
    expect(parseCustomCsrListSearch({ keyType: 'dsa', inUse: 'maybe', sort: 'sans' })).toMatchObject({ keyType: null, inUse: null, sort: 'createdAt', dir: 'desc' });
  });
});

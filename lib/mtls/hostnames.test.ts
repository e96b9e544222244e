import { describe, expect, it } from 'vitest';
import { MtlsHostSchema } from './hostnames';

const problem = (hostname: string) => {
  const parsed = MtlsHostSchema.safeParse({ hostname });
  return parsed.success ? undefined : parsed.error.issues[0]!.message;
};

describe('MtlsHostSchema', () => {
  it('normalises case and a trailing dot, and accepts wildcards and single-label local names', () => {
    expect(MtlsHostSchema.parse({ hostname: ' Sensors.Acme-Corp.com. ' }).hostname).toBe('sensors.acme-corp.com');
    expect(problem('*.acme-corp.com')).toBeUndefined();
    expect(problem('localhost')).toBeUndefined();
  });

  it.each([
    ['', 'Enter a hostname'],
    ['https://api.acme-corp.com/', 'Enter only the hostname'],
    ['bad host', 'Enter only the hostname'],
    ['192.0.2.10', 'not an IP address'],
    ['api.acme-corp.com:8443', 'or a port'],
    ['-api.acme-corp.com', 'not a valid hostname'],
    ['bücher.de', 'punycode'],
    [`${'a'.repeat(250)}.com`, 'at most 253 characters'],
  ])('refuses %j', (hostname, message) => {
    expect(problem(hostname)).toContain(message);
  });
});

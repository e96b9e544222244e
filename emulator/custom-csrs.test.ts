import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APIError } from 'cloudflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCertificate, parseCsr } from '@/lib/pki';
import { openssl, opensslCsr, opensslVerify } from '@/lib/pki/testing/openssl';
import { raw, startTestCloudflare, type TestCloudflare } from './testing/harness';
import { customCsrErrors, envelopeErrors, failureErrors, specErrors } from './testing/openapi';

let cf: TestCloudflare;
beforeAll(async () => {
  cf = await startTestCloudflare();
});
afterAll(() => cf.cleanup());
beforeEach(() => cf.reset());

const zone = () => ({ zone_id: cf.zoneId });
// Seed 004's example, with hostnames the documented rules accept (example.com is refused, code 1416).
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  country: 'US',
  state: 'MA',
  locality: 'Boston',
  organization: 'City of Boston',
  organizational_unit: 'Championship Parade Detail',
  common_name: 'app.cityofboston.dev',
  sans: ['app.cityofboston.dev', 'www.cityofboston.dev'],
  key_type: 'p256v1',
  ...over,
});

type CsrParams = { country: string; state: string; locality: string; organization: string; common_name: string; sans: string[]; key_type?: 'rsa2048' | 'p256v1' };
const sdkBody = (over: Record<string, unknown> = {}) => body(over) as unknown as CsrParams;

async function apiError(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(APIError);
  return e as APIError;
}

describe('custom CSRs (SDK customCsrs.*)', () => {
  it('creates a CSR whose key stays in the emulator, valid against custom-csrs.json', async () => {
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_csrs`, { body: body() });
    expect(res.status).toBe(201);
    expect(customCsrErrors(res.json, 'single')).toEqual([]);
    expect(res.text).not.toMatch(/PRIVATE KEY/);
    const r = res.json.result;
    expect(r).toMatchObject({ key_type: 'p256v1', common_name: 'app.cityofboston.dev', organizational_unit: 'Championship Parade Detail' });
    expect(r.csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    expect(openssl(['req', '-noout', '-verify'], r.csr)).toBe('');
    const parsed = await parseCsr(r.csr);
    expect(parsed).toMatchObject({ keyType: 'EC', curve: 'P-256' });
    expect(parsed.subject).toMatchObject({ C: 'US', ST: 'MA', L: 'Boston', O: 'City of Boston', OU: 'Championship Parade Detail', CN: 'app.cityofboston.dev' });
    expect(parsed.sans).toEqual(['app.cityofboston.dev', 'www.cityofboston.dev']);
  });

  it('defaults key_type to rsa2048', async () => {
    const { organizational_unit: _ou, key_type: _kt, ...rest } = body();
    void _ou;
    void _kt;
    const created = await cf.sdk.customCsrs.create({ ...zone(), ...(rest as unknown as CsrParams) });
    expect(created.key_type).toBe('rsa2048');
    expect((await parseCsr(created.csr!)).keySize).toBe(2048);
    expect(created).not.toHaveProperty('organizational_unit');
  });

  const invalid: [string, Record<string, unknown>, number][] = [
    ['country missing', { country: undefined }, 1405],
    ['state missing', { state: '' }, 1406],
    ['locality missing', { locality: undefined }, 1407],
    ['organization missing', { organization: undefined }, 1408],
    ['common name missing', { common_name: undefined }, 1409],
    ['common name over 64 characters', { common_name: `${'a'.repeat(60)}.dev1` }, 1410],
    ['no SANs', { sans: [] }, 1411],
    ['a SAN over 255 characters', { sans: [`${'a'.repeat(63)}.`.repeat(4) + 'dev'] }, 1412],
    ['an IP SAN', { sans: ['10.0.0.1'] }, 1412],
    ['a SAN starting with -', { sans: ['-app.cityofboston.dev'] }, 1412],
    ['a non-ASCII SAN', { sans: ['bücher.dev'] }, 1413],
    ['a reserved TLD', { sans: ['app.test'] }, 1414],
    ['a SAN without a registrable domain', { sans: ['intranet'] }, 1415],
    ['a SAN under example.com', { sans: ['app.example.com'] }, 1416],
    ['an unknown key_type', { key_type: 'rsa4096' }, 1417],
  ];
  for (const [name, over, code] of invalid) {
    it(`refuses ${name} with ${code}`, async () => {
      const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_csrs`, { body: body(over) });
      expect(res.status).toBe(400);
      expect(failureErrors(res.json)).toEqual([]);
      expect(res.json.errors[0].code).toBe(code);
      expect(res.json.errors[0].message).toMatch(/Check your input and try again\.$/);
      expect(cf.store.customCsrs.list()).toHaveLength(0);
    });
  }

  it('lists with page/per_page/direction/order, gets one, deletes it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await cf.sdk.customCsrs.create({ ...zone(), ...sdkBody({ name: `csr-${String.fromCharCode(103 - i)}` }) })).id);
    const page2 = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs?per_page=5&page=2`);
    expect(customCsrErrors(page2.json, 'collection')).toEqual([]);
    expect(page2.json.result.map((c: { id: string }) => c.id)).toEqual(ids.slice(5));
    expect(page2.json.result_info).toMatchObject({ page: 2, per_page: 5, count: 2, total_count: 7 });
    const desc = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs?direction=desc&order=created_at`);
    expect(desc.json.result[0].id).toBe(ids[6]);
    const byName = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs?order=name`);
    expect(byName.json.result[0].id).toBe(ids[6]);
    const seen: string[] = [];
    for await (const c of cf.sdk.customCsrs.list({ ...zone(), per_page: 5 })) seen.push(c.id);
    expect(seen).toEqual(ids);
    expect((await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs?page=9`)).json.result).toEqual([]);

    const got = await cf.sdk.customCsrs.get(ids[0], zone());
    expect(got.id).toBe(ids[0]);
    expect(customCsrErrors(await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs/${ids[0]}`).then((r) => r.json), 'single')).toEqual([]);
    const del = await raw(cf, 'DELETE', `/zones/${cf.zoneId}/custom_csrs/${ids[0]}`);
    expect(del.status).toBe(200);
    expect(envelopeErrors(del.json)).toEqual([]);
    expect(del.json.result).toEqual({ id: ids[0] });
    const gone = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs/${ids[0]}`);
    expect(gone.status).toBe(404);
    expect(gone.json.errors[0]).toEqual({ code: 1419, message: 'The custom CSR was not found.' });
    expect((await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_csrs/not-a-uuid`)).json.errors[0].code).toBe(1418);
  });

  it('works at account scope too (SDK account_id)', async () => {
    const created = await cf.sdk.customCsrs.create({ account_id: cf.accountId, ...sdkBody() });
    expect((await cf.sdk.customCsrs.get(created.id, { account_id: cf.accountId })).id).toBe(created.id);
  });
});

describe("custom hostnames with a custom CSR (seed 004's flow)", () => {
  async function csrAndCert(hosts = ['app.cityofboston.dev', 'www.cityofboston.dev']) {
    const csr = await cf.sdk.customCsrs.create({ ...zone(), ...sdkBody({ common_name: hosts[0], sans: hosts }) });
    const cert = await cf.store.signWithPublicCa(csr.csr!, 90);
    return { csr, cert };
  }

  it('accepts a certificate from the public CA for the CSR key (201, valid), then blocks deleting the CSR (409 1420)', async () => {
    const { csr, cert } = await csrAndCert();
    expect(opensslVerify(readFileSync(cf.caFiles.public, 'utf8'), cert)).toMatch(/OK/);
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: cert } },
    });
    expect(res.status).toBe(201);
    expect(specErrors('/zones/{zone_id}/custom_hostnames', 'post', 200, res.json)).toEqual([]);
    const h = res.json.result;
    const certInfo = await parseCertificate(cert);
    expect(h.ssl).toMatchObject({
      custom_csr_id: csr.id,
      status: 'pending_deployment',
      hosts: ['app.cityofboston.dev', 'www.cityofboston.dev'],
      issuer: 'certfleetlocalemulator',
      signature: 'SHA256WithRSA',
      serial_number: BigInt(`0x${certInfo.serialNumber}`).toString(10),
    });
    expect(h.ssl).not.toHaveProperty('custom_certificate');

    const blocked = await raw(cf, 'DELETE', `/zones/${cf.zoneId}/custom_csrs/${csr.id}`);
    expect(blocked.status).toBe(409);
    expect(blocked.json.errors[0].code).toBe(1420);

    const got = await cf.sdk.customHostnames.get(h.id, zone());
    expect(got.hostname).toBe('app.cityofboston.dev');
    const one = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_hostnames/${h.id}`);
    expect(specErrors('/zones/{zone_id}/custom_hostnames/{custom_hostname_id}', 'get', 200, one.json)).toEqual([]);
    const list = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_hostnames?hostname=app.cityofboston.dev`);
    expect(specErrors('/zones/{zone_id}/custom_hostnames', 'get', 200, list.json)).toEqual([]);
    expect(list.json.result).toHaveLength(1);
    const found: string[] = [];
    for await (const x of cf.sdk.customHostnames.list({ ...zone(), hostname: { contain: 'boston' } })) found.push(x.id);
    expect(found).toEqual([h.id]);

    const del = await raw(cf, 'DELETE', `/zones/${cf.zoneId}/custom_hostnames/${h.id}`);
    expect(specErrors('/zones/{zone_id}/custom_hostnames/{custom_hostname_id}', 'delete', 200, del.json)).toEqual([]);
    expect(del.json.id).toBe(h.id);
    await cf.sdk.customCsrs.delete(csr.id, zone());
    expect(cf.store.customCsrs.list()).toHaveLength(0);
  });

  it('becomes active after deployment', async () => {
    const { csr, cert } = await csrAndCert();
    const h = await cf.sdk.customHostnames.create({ ...zone(), hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: cert } });
    await new Promise((r) => setTimeout(r, 150));
    const got = await cf.sdk.customHostnames.get(h.id, zone());
    expect(got.status).toBe('active');
    expect(got.ssl?.status).toBe('active');
  });

  it('refuses a self-signed certificate for the CSR key (1441)', async () => {
    const { csr } = await csrAndCert();
    // The CSR's key never leaves the emulator, so the self-signed certificate has its own key: trust is checked first.
    const selfSigned = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=app.cityofboston.dev', '-addext', 'subjectAltName=DNS:app.cityofboston.dev', '-days', '30']);
    const res = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: selfSigned } },
    });
    expect(res.status).toBe(400);
    expect(failureErrors(res.json)).toEqual([]);
    expect(res.json.errors[0].code).toBe(1441);
    expect(cf.store.customHostnames.list()).toHaveLength(0);
  });

  it('refuses a publicly signed certificate for another key (1429)', async () => {
    const { csr } = await csrAndCert();
    const other = opensslCsr({ subj: '/CN=app.cityofboston.dev', san: 'DNS:app.cityofboston.dev' });
    const foreign = await cf.store.signWithPublicCa(other.csrPem, 30);
    const e = await apiError(cf.sdk.customHostnames.create({ ...zone(), hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: foreign } }));
    expect(e.status).toBe(400);
    expect(e.errors[0]).toMatchObject({ code: 1429 });
  });

  it('refuses a certificate that does not name the hostname (1446), an unknown CSR (404 1431) and duplicates (409 1406)', async () => {
    const { csr, cert } = await csrAndCert(['api.cityofboston.dev']);
    const wrongHost = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'app.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: cert } },
    });
    expect(wrongHost.json.errors[0].code).toBe(1446);
    const unknown = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'api.cityofboston.dev', ssl: { custom_csr_id: '7b163417-1d2b-4c84-a38a-2fb7a0cd7752', custom_certificate: cert } },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors[0].code).toBe(1431);
    const ok = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'api.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: cert } },
    });
    expect(ok.status).toBe(201);
    const dup = await raw(cf, 'POST', `/zones/${cf.zoneId}/custom_hostnames`, {
      body: { hostname: 'api.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: cert } },
    });
    expect(dup.status).toBe(409);
    expect(dup.json.errors[0].code).toBe(1406);
    const missing = await raw(cf, 'GET', `/zones/${cf.zoneId}/custom_hostnames/7b163417-1d2b-4c84-a38a-2fb7a0cd7752`);
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0].code).toBe(1436);
  });

  it('npm run emulator:sign signs a CSR file with the public CA (the customer-CA step)', async () => {
    const { csr } = await csrAndCert();
    const file = path.join(cf.dataDir, 'customer.csr');
    writeFileSync(file, csr.csr!);
    const root = path.resolve(__dirname, '..');
    const pem = execFileSync(process.execPath, ['--import', 'tsx', 'emulator/sign.ts', file, '--days', '30', '--data-dir', cf.dataDir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(opensslVerify(readFileSync(cf.caFiles.public, 'utf8'), pem)).toMatch(/OK/);
    const h = await cf.sdk.customHostnames.create({ ...zone(), hostname: 'www.cityofboston.dev', ssl: { custom_csr_id: csr.id, custom_certificate: pem } });
    expect(h.ssl?.custom_csr_id).toBe(csr.id);
  });
});

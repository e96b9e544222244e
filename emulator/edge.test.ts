import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, tlsClientAuthFor, TLS_CLIENT_AUTH_PLACEHOLDER, type RunningEdge, type TlsClientAuth } from './edge';
import { WORKER_DURABLE_OBJECTS } from './worker-runner';
import { createDeviceAgent, postReading, readingBody, utcSeconds, type DeviceCredentials } from '@/lib/devices/simulator';
import { TestEdgeStore, createCa, issueCertificate, type TestCertificate } from '@/emulator/testing/test-pki';

const run = promisify(execFile);
const TOKEN = 'test-export-token';
const SHIELD = 'shield.test';

let store: TestEdgeStore;
let edge: RunningEdge;
let sensor: TestCertificate;
let dir: string;

beforeAll(async () => {
  store = await TestEdgeStore.create({ associations: [SHIELD] });
  sensor = await store.issueClient('sensor-001.devices.upinatoms.com');
  edge = await startEdge({ port: 0, store, exportToken: TOKEN, workerOutput: 'ignore' });
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-edge-'));
});

afterAll(async () => {
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const post = (device: DeviceCredentials | undefined, extra: Partial<Parameters<typeof postReading>[0]> = {}) =>
  postReading({ url: `${edge.url}/temps`, caPem: store.publicCa.certPem, device, ...extra });

const reading = (temperature: number | string = 36.5, time = utcSeconds()) => ({ temperature, time });

/** The export API's answers, loosely: each call fills some of these. */
interface ExportBody {
  certificates: { fingerprint: string; count: number }[];
  readings: { seq: number; temperature: number; time: string }[];
  buckets: { start: string; end: string; count: number; min: number; max: number; avg: number }[];
  nextCursor: unknown;
  hasMore: boolean;
}

async function exportJson(pathAndQuery: string): Promise<ExportBody> {
  const res = await postReading({
    url: `${edge.url}${pathAndQuery}`,
    caPem: store.publicCa.certPem,
    method: 'GET',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body);
}

async function certificateEntry(fingerprint: string) {
  const { certificates } = await exportJson('/export/certificates');
  return certificates.find((c: { fingerprint: string }) => c.fingerprint === fingerprint);
}

describe('the mTLS rule and the Worker behind the edge', () => {
  it('refuses a request without a client certificate (403)', async () => {
    const res = await post(undefined, { reading: reading() });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toMatch(/client certificate is required/);

    const blocked = await post(undefined, { reading: reading(), headers: { host: SHIELD } });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('error code: 1020'); // the rule answered, not the Worker
  });

  it('refuses a certificate from another CA (403), at the rule and at the Worker', async () => {
    const foreign = await issueCertificate(await createCa('Somebody else'), { commonName: 'sensor-001.devices.upinatoms.com' });
    const res = await post(foreign, { reading: reading() });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toContain('FAILED:unable to verify the first certificate');
    const blocked = await post(foreign, { reading: reading(), headers: { host: SHIELD } });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('1020');
  });

  it('refuses an expired certificate from the zone CA', async () => {
    const expired = await store.issueClient('old-sensor', {
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const res = await post(expired, { reading: reading(), headers: { host: SHIELD } });
    expect(res.status).toBe(403);
    const direct = await post(expired, { reading: reading() });
    expect(JSON.parse(direct.body).error).toContain('FAILED:certificate has expired');
  });

  it('stores a valid reading (201) under the certificate that posted it', async () => {
    const res = await post(sensor, { reading: reading('36.70', '2020-09-28T02:54:56Z'), headers: { host: SHIELD } });
    expect(res.status, res.body).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ temperature: 36.7, time: '2020-09-28T02:54:56Z' });

    const entry = await certificateEntry(sensor.fingerprint);
    expect(entry).toMatchObject({ fingerprint: sensor.fingerprint, serial: sensor.serial, ski: sensor.ski, count: 1, lastSeq: 1 });
    const { readings } = await exportJson(`/export/readings?fingerprint=${sensor.fingerprint}`);
    expect(readings).toEqual([
      expect.objectContaining({ seq: 1, temperature: 36.7, time: '2020-09-28T02:54:56Z' }),
    ]);
  });

  it('refuses the next post once the store reports the certificate revoked, even on the same connection', async () => {
    const device = await store.issueClient('sensor-revoked');
    const agent = createDeviceAgent(device, { caPem: store.publicCa.certPem });
    try {
      const url = `${edge.url}/temps`;
      expect((await postReading({ url, agent, reading: reading(), headers: { host: SHIELD } })).status).toBe(201);
      store.statuses.set(device.serial, 'pending_revocation'); // not yet in effect
      expect((await postReading({ url, agent, reading: reading(), headers: { host: SHIELD } })).status).toBe(201);
      store.statuses.set(device.serial, 'revoked');
      const blocked = await postReading({ url, agent, reading: reading(), headers: { host: SHIELD } });
      expect(blocked.status).toBe(403);
      expect(blocked.body).toContain('1020');
      const worker = await postReading({ url, agent, reading: reading() });
      expect(worker.status).toBe(403);
      expect(JSON.parse(worker.body).error).toMatch(/revoked/);
      expect((await certificateEntry(device.fingerprint))?.count).toBe(2);
    } finally {
      agent.destroy();
    }
  });

  it('stores all 200 of 200 parallel posts from 20 devices', async () => {
    const devices = await Promise.all(Array.from({ length: 20 }, (_, i) => store.issueClient(`load-${i}`)));
    const agents = devices.map((d) => createDeviceAgent(d, { caPem: store.publicCa.certPem }, 10));
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          postReading({ url: `${edge.url}/temps`, agent: agents[i % 20], reading: reading(36 + (i % 10) / 10), headers: { host: SHIELD } }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(200);
    } finally {
      agents.forEach((a) => a.destroy());
    }
    for (const d of devices) {
      const { readings, hasMore } = await exportJson(`/export/readings?fingerprint=${d.fingerprint}&limit=5000`);
      expect(hasMore).toBe(false);
      expect(readings.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await certificateEntry(d.fingerprint))?.count).toBe(10);
    }
  });

  it('answers bad bodies with 400 or 413 and a message saying what is wrong', async () => {
    const device = await store.issueClient('sensor-bad-input');
    const cases: [string, number, RegExp][] = [
      ['{"temperature": 36.5', 400, /not valid JSON/],
      ['[1,2]', 400, /JSON object/],
      [JSON.stringify({ time: utcSeconds() }), 400, /"temperature" is missing/],
      [JSON.stringify({ temperature: 'warm', time: utcSeconds() }), 400, /numeric string/],
      [JSON.stringify({ temperature: 451, time: utcSeconds() }), 400, /implausible/],
      [JSON.stringify({ temperature: -273.15, time: utcSeconds() }), 400, /implausible/],
      [JSON.stringify({ temperature: 36.5 }), 400, /"time" is missing/],
      [JSON.stringify({ temperature: 36.5, time: 'yesterday' }), 400, /ISO 8601/],
      [JSON.stringify({ temperature: 36.5, time: '2020-02-30T00:00:00Z' }), 400, /ISO 8601/],
      [JSON.stringify({ temperature: 36.5, time: '2999-01-01T00:00:00Z' }), 400, /future/],
      [JSON.stringify({ temperature: 36.5, time: utcSeconds(), pad: 'x'.repeat(5000) }), 413, /larger than 4096 bytes/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(device, { body });
      expect(res.status, body.slice(0, 60)).toBe(status);
      expect(JSON.parse(res.body).error, body.slice(0, 60)).toMatch(message);
    }
    expect(await certificateEntry(device.fingerprint)).toBeUndefined();
  });

  it('GET /temps returns the caller\'s five newest readings, newest first', async () => {
    const device = await store.issueClient('sensor-history');
    const other = await store.issueClient('sensor-neighbour');
    const times = [3, 1, 7, 5, 2, 6, 4].map((m) => `2020-09-28T02:0${m}:00Z`);
    for (const [i, time] of times.entries()) {
      expect((await post(device, { reading: reading(36 + i / 10, time) })).status).toBe(201);
    }
    expect((await post(other, { reading: reading(99, '2020-09-28T03:00:00Z') })).status).toBe(201);
    const res = await post(device, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([
      { temperature: 36.2, time: '2020-09-28T02:07:00Z' },
      { temperature: 36.5, time: '2020-09-28T02:06:00Z' },
      { temperature: 36.3, time: '2020-09-28T02:05:00Z' },
      { temperature: 36.6, time: '2020-09-28T02:04:00Z' },
      { temperature: 36, time: '2020-09-28T02:03:00Z' },
    ]);
  });

  it('the export API wants the bearer token (401 otherwise) and pages readings by seq', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const res = await postReading({
        url: `${edge.url}/export/certificates`,
        caPem: store.publicCa.certPem,
        method: 'GET',
        headers,
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error).toMatch(/Bearer/);
    }
    const device = await store.issueClient('sensor-export');
    for (let i = 0; i < 7; i++) {
      await post(device, { reading: reading(30 + i, `2021-01-01T00:0${i}:30Z`) });
    }
    const page1 = await exportJson(`/export/readings?fingerprint=${device.fingerprint}&limit=3`);
    expect(page1.readings.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3]);
    expect(page1).toMatchObject({ nextCursor: 3, hasMore: true });
    const page3 = await exportJson(`/export/readings?fingerprint=${device.fingerprint}&after=6&limit=3`);
    expect(page3).toMatchObject({ nextCursor: 7, hasMore: false });
    expect(page3.readings[0]).toMatchObject({ seq: 7, temperature: 36, time: '2021-01-01T00:06:30Z' });

    const { buckets } = await exportJson(
      `/export/buckets?fingerprint=${device.fingerprint}&from=2021-01-01T00:00:00Z&to=2021-01-01T00:08:00Z&buckets=4`,
    );
    expect(buckets.map((b: { count: number; min: number; max: number; avg: number }) => [b.count, b.min, b.max, b.avg])).toEqual([
      [2, 30, 31, 30.5],
      [2, 32, 33, 32.5],
      [2, 34, 35, 34.5],
      [1, 36, 36, 36],
    ]);
    expect(buckets[0]).toMatchObject({ start: '2021-01-01T00:00:00.000Z', end: '2021-01-01T00:02:00.000Z' });
  });

  it('reproduces the seed\'s curl transcript: 403 without a certificate, 201 with one', async () => {
    const ca = path.join(dir, 'edge-ca.pem');
    const cert = path.join(dir, 'sensor.pem');
    const key = path.join(dir, 'sensor-key.pem');
    await writeFile(ca, store.publicCa.certPem);
    await writeFile(cert, sensor.certPem);
    await writeFile(key, sensor.keyPem);
    const body = readingBody({ temperature: 36.7, time: utcSeconds() });
    const curl = (...args: string[]) =>
      run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', ca, '-H', 'Content-Type: application/json',
        '-d', body, ...args, `${edge.url}/temps`]).then((r) => r.stdout);
    expect(await curl()).toBe('403');
    expect(await curl('--cert', cert, '--key', key)).toBe('201');
  });
});

describe('request.cf.tlsClientAuth', () => {
  /** What the edge computes for a real handshake with this client certificate. */
  async function authFor(client: { certPem: string; keyPem: string } | undefined): Promise<TlsClientAuth> {
    const { certPem, keyPem } = store.issueServerCertificate();
    const server = tls.createServer({ cert: certPem, key: keyPem, requestCert: true, rejectUnauthorized: false });
    const seen = new Promise<TlsClientAuth>((resolve) =>
      server.once('secureConnection', (socket) => {
        resolve(tlsClientAuthFor(socket, store));
        socket.end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const socket = tls.connect({ port, host: '127.0.0.1', ca: store.publicCa.certPem, servername: 'localhost', ...(client ? { cert: client.certPem, key: client.keyPem } : {}) });
    socket.on('error', () => {});
    try {
      return await seen;
    } finally {
      socket.destroy();
      await new Promise((r) => server.close(r));
    }
  }

  async function openssl(pem: string, ...args: string[]): Promise<string> {
    const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.pem`);
    await writeFile(file, pem);
    return (await run('openssl', ['x509', '-in', file, '-noout', ...args])).stdout.trim();
  }

  it('is the documented placeholder when no certificate is presented', async () => {
    expect(await authFor(undefined)).toEqual(TLS_CLIENT_AUTH_PLACEHOLDER);
  });

  it('matches what openssl says about the certificate, in Cloudflare\'s formats', async () => {
    const auth = await authFor(sensor);
    const serial = (await openssl(sensor.certPem, '-serial')).replace('serial=', '');
    const sha256 = (await openssl(sensor.certPem, '-fingerprint', '-sha256')).split('=')[1]!.replace(/:/g, '').toLowerCase();
    const sha1 = (await openssl(sensor.certPem, '-fingerprint', '-sha1')).split('=')[1]!.replace(/:/g, '').toLowerCase();
    const notBefore = (await openssl(sensor.certPem, '-startdate')).replace('notBefore=', '');
    const notAfter = (await openssl(sensor.certPem, '-enddate')).replace('notAfter=', '');
    const subject = (await openssl(sensor.certPem, '-subject', '-nameopt', 'RFC2253')).replace('subject=', '');
    const issuer = (await openssl(sensor.certPem, '-issuer', '-nameopt', 'RFC2253')).replace('issuer=', '');
    const legacy = (await openssl(sensor.certPem, '-subject', '-nameopt', 'compat')).replace('subject=', '');
    const caSerial = (await openssl(store.zoneCa.certPem, '-serial')).replace('serial=', '');

    expect(auth).toMatchObject({
      certPresented: '1',
      certVerified: 'SUCCESS',
      certRevoked: '0',
      certSerial: serial,
      certIssuerSerial: caSerial,
      certFingerprintSHA256: sha256,
      certFingerprintSHA1: sha1,
      certNotBefore: notBefore,
      certNotAfter: notAfter,
      certSubjectDNRFC2253: subject,
      certIssuerDNRFC2253: issuer,
      certSubjectDN: subject.replace(/(?<!\\),/g, ', '),
      certSubjectDNLegacy: legacy,
      certSKI: sensor.ski.toUpperCase(),
      certRFC9440: `:${Buffer.from(sensor.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64')}:`,
      certRFC9440TooLarge: false,
      certChainRFC9440: '',
    });
    expect(auth.certSerial).toMatch(/^[0-9A-F]+$/);
    expect(auth.certNotAfter).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4} GMT$/);
    expect(auth.certSubjectDNRFC2253).toMatch(/^CN=sensor-001\.devices\.upinatoms\.com,OU=Tech Operations,O=Temperature Testers\\, Inc\.,/);
    expect(Object.keys(auth).sort()).toEqual(Object.keys(TLS_CLIENT_AUTH_PLACEHOLDER).sort());
  });

  it('says why a certificate failed, in OpenSSL\'s words', async () => {
    const selfSigned = await createCa('sensor-selfsigned');
    const { webcrypto } = await import('node:crypto');
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await webcrypto.subtle.exportKey('pkcs8', selfSigned.keys.privateKey as never)).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    expect((await authFor({ certPem: selfSigned.certPem, keyPem })).certVerified).toBe('FAILED:self signed certificate');

    const future = await store.issueClient('sensor-future', {
      notBefore: new Date(Date.now() + 86_400_000),
      notAfter: new Date(Date.now() + 2 * 86_400_000),
    });
    expect((await authFor(future)).certVerified).toBe('FAILED:certificate is not yet valid');

    const revoked = await store.issueClient('sensor-revoked-fields');
    store.statuses.set(revoked.serial, 'revoked');
    expect(await authFor(revoked)).toMatchObject({ certVerified: 'SUCCESS', certRevoked: '1' });
  });

  it('verifies a chain through an intermediate the client sends', async () => {
    const { x509 } = { x509: await import('@peculiar/x509') };
    const { webcrypto } = await import('node:crypto');
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const intermediateCert = await x509.X509CertificateGenerator.create({
      serialNumber: '1a2b3c',
      subject: 'CN=certfleet test intermediate',
      issuer: store.zoneCa.cert.subject,
      publicKey: keys.publicKey,
      signingKey: store.zoneCa.keys.privateKey,
      signingAlgorithm: alg,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const intermediate = { cert: intermediateCert, keys, certPem: `${intermediateCert.toString('pem')}\n` };
    const leaf = await issueCertificate(intermediate, { commonName: 'sensor-behind-intermediate' });
    const withChain = await authFor({ certPem: leaf.certPem + intermediate.certPem, keyPem: leaf.keyPem });
    expect(withChain).toMatchObject({ certVerified: 'SUCCESS', certIssuerSerial: '1A2B3C' });
    expect(withChain.certChainRFC9440).toMatch(/^:[A-Za-z0-9+/=]+:$/);
    expect((await authFor(leaf)).certVerified).toBe('FAILED:unable to verify the first certificate');
  });
});

describe('worker/wrangler.toml', () => {
  it('declares the Durable Objects the local runner binds, with SQLite migrations', async () => {
    const toml = await readFile(path.resolve(__dirname, '../worker/wrangler.toml'), 'utf8');
    for (const [binding, { className }] of Object.entries(WORKER_DURABLE_OBJECTS)) {
      expect(toml).toMatch(new RegExp(`name = "${binding}"\\s+class_name = "${className}"`));
    }
    expect(toml).toMatch(/new_sqlite_classes = \["DeviceReadings", "CertificateRegistry"\]/);
  });
});

import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type RunningEdge } from '@/emulator/edge';
import { postReading, utcSeconds } from '@/lib/devices/simulator';
import { TestEdgeStore, type TestCertificate } from '@/emulator/testing/test-pki';

const KID = 'ABC123DEFG';
const ISS = 'TEAM123456';

/**
 * A stand-in for Apple's DeviceCheck API: checks the ES256 JWT's signature with the public half of the .p8 key,
 * its kid/iss/iat, and the payload, then accepts only the device tokens it was given, per environment.
 */
function startAppleStandIn(publicKey: KeyObject, tokens: { production: string[]; development: string[] }) {
  const calls: { env: string; status: number; reason: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env = req.url?.startsWith('/development/') ? 'development' : 'production';
      const answer = (status: number, reason: string) => {
        calls.push({ env, status, reason });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? '' : reason);
      };
      if (req.method !== 'POST' || !req.url?.endsWith('/v1/validate_device_token')) return answer(404, 'not found');

      const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const [h, p, s] = jwt.split('.');
      if (!h || !p || !s) return answer(401, 'Missing or badly formatted authorization token');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const signatureOk = verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
      const fresh = Math.abs(Date.now() / 1000 - claims.iat) < 3600;
      if (!signatureOk || header.alg !== 'ES256' || header.kid !== KID || claims.iss !== ISS || !fresh) {
        return answer(401, 'Unable to verify authorization token');
      }
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      const wellFormed =
        typeof body.device_token === 'string' && typeof body.transaction_id === 'string' && Math.abs(body.timestamp - Date.now()) < 60_000;
      if (!wellFormed || !tokens[env as 'production' | 'development'].includes(body.device_token)) {
        return answer(400, 'Missing or incorrectly formatted device token payload');
      }
      answer(200, 'ok');
    });
  });
  return new Promise<{ url: string; calls: typeof calls; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

function p8(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

describe('Apple DeviceCheck on /temps', () => {
  const appleKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let apple: Awaited<ReturnType<typeof startAppleStandIn>>;
  let store: TestEdgeStore;
  let phone: TestCertificate;
  const edges: RunningEdge[] = [];

  async function edgeWith(opts: { key?: KeyObject; base?: string } = {}) {
    const edge = await startEdge({
      port: 0,
      store,
      exportToken: 'x',
      appleBaseUrl: `${opts.base ?? apple.url}/production`,
      appleDevelopmentBaseUrl: `${opts.base ?? apple.url}/development`,
      apple: { privateKeyPem: p8(opts.key ?? appleKeys.privateKey), kid: KID, iss: ISS },
      workerOutput: 'ignore',
    });
    edges.push(edge);
    return edge;
  }

  const send = (edge: RunningEdge, headers: Record<string, string>) =>
    postReading({
      url: `${edge.url}/temps`,
      caPem: store.publicCa.certPem,
      device: phone,
      reading: { temperature: 36.6, time: utcSeconds() },
      headers,
    });

  beforeAll(async () => {
    apple = await startAppleStandIn(appleKeys.publicKey, { production: ['prod-token'], development: ['dev-token'] });
    store = await TestEdgeStore.create();
    phone = await store.issueClient('ios-bootstrap.devices.upinatoms.com');
  });

  afterEach(async () => {
    await Promise.all(edges.splice(0).map((e) => e.stop()));
  });

  afterAll(async () => {
    await apple?.close();
  });

  it('accepts a genuine token and refuses a bad one (401)', async () => {
    const edge = await edgeWith();
    const good = await send(edge, { 'X-Apple-Device-Token': 'prod-token' });
    expect(good.status, good.body).toBe(201);
    expect(apple.calls.at(-1)).toMatchObject({ env: 'production', status: 200 });

    const bad = await send(edge, { 'X-Apple-Device-Token': 'forged-token' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error).toMatch(/DeviceCheck token was not accepted/);
    expect(apple.calls.at(-1)).toMatchObject({ env: 'production', status: 400 });

    const callsBefore = apple.calls.length;
    expect((await send(edge, {})).status).toBe(201); // no header: no DeviceCheck, the certificate suffices
    expect(apple.calls).toHaveLength(callsBefore);
  });

  it('sends X-Apple-Device-Development: true requests to the development server', async () => {
    const edge = await edgeWith();
    expect((await send(edge, { 'X-Apple-Device-Token': 'dev-token' })).status).toBe(401);
    const dev = await send(edge, { 'X-Apple-Device-Token': 'dev-token', 'X-Apple-Device-Development': 'true' });
    expect(dev.status, dev.body).toBe(201);
    expect(apple.calls.at(-1)).toMatchObject({ env: 'development', status: 200 });
  });

  it('is refused when the JWT is signed with another key', async () => {
    const edge = await edgeWith({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });
    const res = await send(edge, { 'X-Apple-Device-Token': 'prod-token' });
    expect(res.status).toBe(401);
    expect(apple.calls.at(-1)).toMatchObject({ status: 401, reason: 'Unable to verify authorization token' });
  });

  it('answers 503 when Apple cannot be reached, and the certificate check still comes first', async () => {
    const edge = await edgeWith({ base: 'http://127.0.0.1:9' });
    const res = await send(edge, { 'X-Apple-Device-Token': 'prod-token' });
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/unavailable/);
    const noCert = await postReading({
      url: `${edge.url}/temps`,
      caPem: store.publicCa.certPem,
      reading: { temperature: 36.6, time: utcSeconds() },
      headers: { 'X-Apple-Device-Token': 'prod-token' },
    });
    expect(noCert.status).toBe(403);
  });
});

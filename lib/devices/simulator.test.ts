import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type RunningEdge } from '@/emulator/edge';
import { loadFleet, parseDuration } from './files';
import { postReading, readingBody, simulateFleet } from './simulator';
import { TestEdgeStore, type TestCertificate } from '@/emulator/testing/test-pki';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'sim-token';

let store: TestEdgeStore;
let edge: RunningEdge;
let dir: string;
let devices: TestCertificate[];

beforeAll(async () => {
  store = await TestEdgeStore.create({ associations: ['127.0.0.1'] });
  devices = await Promise.all([0, 1, 2].map((i) => store.issueClient(`sensor-00${i}.devices.upinatoms.com`)));
  edge = await startEdge({ port: 0, store, exportToken: TOKEN, workerOutput: 'ignore' });
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sim-'));
  await writeFile(path.join(dir, 'ca.pem'), store.publicCa.certPem);
  for (const [i, d] of devices.entries()) {
    await writeFile(path.join(dir, `sensor-${i}.pem`), d.certPem);
    await writeFile(path.join(dir, `sensor-${i}-key.pem`), d.keyPem);
  }
});

afterAll(async () => {
  await edge?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function countFor(fingerprint: string): Promise<number> {
  const res = await postReading({
    url: `${edge.url}/export/certificates`,
    caPem: store.publicCa.certPem,
    method: 'GET',
    // 127.0.0.1 is associated, so the mTLS rule covers it; the dashboard reads through another hostname.
    headers: { authorization: `Bearer ${TOKEN}`, host: 'localhost' },
  });
  const entry = JSON.parse(res.body).certificates.find((c: { fingerprint: string }) => c.fingerprint === fingerprint);
  return entry?.count ?? 0;
}

describe('simulateFleet', () => {
  it('posts count readings per device and reports statuses', async () => {
    const before = await Promise.all(devices.map((d) => countFor(d.fingerprint)));
    const results: number[] = [];
    const stats = await simulateFleet({
      url: `${edge.url}/temps`,
      devices,
      everyMs: 10,
      count: 4,
      caPem: store.publicCa.certPem,
      onResult: (_d, _i, r) => results.push(r.status),
    });
    expect(stats).toMatchObject({ devices: 3, sent: 12, byStatus: { 201: 12 } });
    expect(results).toHaveLength(12);
    const after = await Promise.all(devices.map((d) => countFor(d.fingerprint)));
    expect(after.map((n, i) => n - before[i]!)).toEqual([4, 4, 4]);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let posted = 0;
    const running = simulateFleet({
      url: `${edge.url}/temps`,
      devices,
      everyMs: 60_000,
      staggerMs: 0,
      caPem: store.publicCa.certPem,
      signal: controller.signal,
      // Abort once every device has posted and gone to sleep for its next minute.
      onResult: () => {
        if (++posted === devices.length) setTimeout(() => controller.abort(), 50);
      },
    });
    const stats = await running;
    expect(stats.sent).toBe(3); // one each, then waiting for the next minute when aborted
    // Not a speed target: without the abort each device would sleep a whole minute before returning.
    expect(stats.durationMs).toBeLessThan(30_000);
  });

  it('reports a refused TLS server instead of throwing', async () => {
    const res = await postReading({ url: `${edge.url}/temps`, device: devices[0] }); // no CA: the edge is untrusted
    expect(res.status).toBe(0);
    expect(res.error).toMatch(/--ca/);
  });
});

describe('device files', () => {
  it('loads a cfssl-style directory and a JSON list', async () => {
    const fromDir = await loadFleet(dir);
    expect(fromDir.map((d) => d.name)).toEqual(['sensor-0', 'sensor-1', 'sensor-2']); // ca.pem has no key: skipped
    const list = path.join(dir, 'fleet.json');
    await writeFile(list, JSON.stringify([{ cert: 'sensor-1.pem', key: 'sensor-1-key.pem' }]));
    expect(await loadFleet(list)).toEqual([{ name: 'sensor-1', certPem: devices[1]!.certPem, keyPem: devices[1]!.keyPem }]);

    // npm start keeps the demo fleet as <fingerprint>.cert.pem + <fingerprint>.key.pem.
    const demo = await mkdtemp(path.join(tmpdir(), 'certfleet-demo-'));
    try {
      await writeFile(path.join(demo, `${devices[2]!.fingerprint}.cert.pem`), devices[2]!.certPem);
      await writeFile(path.join(demo, `${devices[2]!.fingerprint}.key.pem`), devices[2]!.keyPem);
      expect(await loadFleet(demo)).toEqual([{ name: devices[2]!.fingerprint, certPem: devices[2]!.certPem, keyPem: devices[2]!.keyPem }]);
    } finally {
      await rm(demo, { recursive: true, force: true });
    }
  });

  it('parses durations', () => {
    expect([parseDuration('60s'), parseDuration('500ms'), parseDuration('5m'), parseDuration('1h'), parseDuration('2')]).toEqual([
      60_000, 500, 300_000, 3_600_000, 2_000,
    ]);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('writes bodies as Python\'s json.dumps does', () => {
    expect(readingBody({ temperature: '36.5', time: '2020-09-28T15:52:19Z' })).toBe(
      '{"temperature": "36.5", "time": "2020-09-28T15:52:19Z"}',
    );
  });
});

describe('npm run device', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/device.ts', '--url', `${edge.url}/temps`, '--ca', path.join(dir, 'ca.pem'), ...args], {
      cwd: ROOT,
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it('behaves like the seed\'s sensor script: 201 with a certificate', async () => {
    const { code, out } = await cli('--cert', path.join(dir, 'sensor-0.pem'), '--key', path.join(dir, 'sensor-0-key.pem'), '--temperature', '36.5');
    expect(out).toContain('Cloudflare API Shield [IoT device demonstration]');
    expect(out).toMatch(/Request body: {2}\{"temperature": "36\.5", "time": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}/);
    expect(out).toContain('Response status code: 201');
    expect(code).toBe(0);
  });

  it('drives a fleet from a directory', async () => {
    const { code, out } = await cli('--fleet', dir, '--every', '50ms', '--count', '2');
    expect(out).toContain('Sent 6 readings');
    expect(out).toContain('201×6');
    expect(code).toBe(0);
  });
});

// How many readings does the seed's KV Worker lose when sensors post at once, and how many does ours?
// Both run in workerd under miniflare and receive the same burst: D devices × N posts, all in flight together.
//
//   node --import tsx bench/seed-worker.ts [--devices 20] [--posts 10] [--rounds 3] [--kv-latency 10]
//
// Each reading carries a unique `id` so we can tell which device's list it landed in. The seed stores the whole
// body, so the id comes back out of KV; ours ignores extra fields, so its readings are matched by temperature,
// which the bench makes unique per post.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Miniflare } from 'miniflare';
import { startWorker, workerCompatibilityDate } from '@/emulator/worker-runner';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface WorkerLoss {
  /** Posts answered 201. */
  accepted: number;
  /** Readings found afterwards under the device that posted them. */
  stored: number;
  /** sent − stored: readings that are not under the device that posted them. */
  lost: number;
  /**
   * Entries filed under a device that did not post them (copies counted): the seed's shared `defaultData`
   * object leaks one device's first readings into the next new device's list, so its GET /temps shows
   * another sensor's temperatures.
   */
  misattributed: number;
  ms: number;
}

export interface LostReadingsReport {
  devices: number;
  postsPerDevice: number;
  /** Posts per round (devices × postsPerDevice). */
  sent: number;
  rounds: number;
  /** Sums over all rounds (sent × rounds posts in total). The seed on miniflare's in-process KV. */
  seed: RoundsTotal;
  /** The seed with its KV behind a hop of `kvLatencyMs` per operation; null when not measured. */
  seedWithKvLatency: (RoundsTotal & { kvLatencyMs: number }) | null;
  certfleet: RoundsTotal;
}

export type RoundsTotal = WorkerLoss & { lostPerRound: number[] };

interface Post {
  device: number;
  id: string;
  /** Unique per post, so our Worker's stored rows can be matched back to the post. */
  temperature: number;
  time: string;
}

function burst(devices: number, postsPerDevice: number): Post[] {
  const posts: Post[] = [];
  // Interleaved (device 0, 1, …, 19, 0, 1, …) like a fleet whose clocks tick together.
  for (let n = 0; n < postsPerDevice; n++) {
    for (let d = 0; d < devices; d++) {
      posts.push({
        device: d,
        id: `d${d}-n${n}`,
        temperature: Math.round((20 + d + n / 100) * 1000) / 1000,
        time: new Date(Date.UTC(2020, 8, 28, 2, 54, n)).toISOString().replace('.000Z', 'Z'),
      });
    }
  }
  return posts;
}

// KV behind a network hop: the seed's code unchanged, its TEMPERATURES binding answered by a second Worker
// (over RPC) that waits `LATENCY_MS` before each get/put and then uses a real KV namespace.
const SLOW_KV = `import { WorkerEntrypoint } from 'cloudflare:workers';
export class SlowKV extends WorkerEntrypoint {
  wait() { return new Promise((resolve) => setTimeout(resolve, Number(this.env.LATENCY_MS))); }
  async get(key) { await this.wait(); return this.env.KV.get(key); }
  async put(key, value) { await this.wait(); return this.env.KV.put(key, value); }
}
export default { fetch: () => new Response('') };`;

/**
 * The seed's Worker: readings keyed by CF-Connecting-IP, one KV value per device, read-modify-write.
 * `kvLatencyMs` undefined: miniflare's KV as is (in-process SQLite, sub-millisecond). A number: KV reached
 * through a hop that adds that much per operation, as production KV is a network service.
 */
async function runSeed(posts: Post[], devices: number, kvLatencyMs?: number): Promise<WorkerLoss> {
  const script = await readFile(path.join(HERE, 'fixtures/seed-worker.js'), 'utf8');
  const compatibilityDate = await workerCompatibilityDate();
  const quiet = (out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) => (out.resume(), err.resume());
  const seedWorker = { name: 'seed', script, modules: false, compatibilityDate }; // service-worker syntax
  const mf =
    kvLatencyMs === undefined
      ? new Miniflare({ ...seedWorker, cf: false, kvNamespaces: ['TEMPERATURES'], kvPersist: false, handleRuntimeStdio: quiet })
      : new Miniflare({
          workers: [
            { ...seedWorker, serviceBindings: { TEMPERATURES: { name: 'slow-kv', entrypoint: 'SlowKV' } } },
            {
              name: 'slow-kv',
              modules: true,
              script: SLOW_KV,
              compatibilityDate,
              kvNamespaces: { KV: 'temperatures' },
              bindings: { LATENCY_MS: kvLatencyMs },
            },
          ],
          cf: false,
          kvPersist: false,
          handleRuntimeStdio: quiet,
        });
  try {
    await mf.ready;
    const started = performance.now();
    const responses = await Promise.all(
      posts.map((p) =>
        mf
          .dispatchFetch('https://shield.example/temps', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'CF-Connecting-IP': `10.0.0.${p.device + 1}` },
            body: JSON.stringify({ temperature: p.temperature, time: p.time, id: p.id }),
          })
          .then(async (r) => (await r.arrayBuffer(), r.status)),
      ),
    );
    const ms = Math.round(performance.now() - started);

    // Typed loosely: @cloudflare/workers-types is not installed, so miniflare's KV type does not resolve.
    const kv = (kvLatencyMs === undefined
      ? await mf.getKVNamespace('TEMPERATURES')
      : await mf.getKVNamespace('KV', 'slow-kv')) as unknown as { get(key: string): Promise<string | null> };
    const owner = new Map(posts.map((p) => [p.id, p.device]));
    const storedIds = new Set<string>();
    let misattributed = 0;
    for (let d = 0; d < devices; d++) {
      const value = await kv.get(`data-10.0.0.${d + 1}`);
      const list = value ? (JSON.parse(value) as { temperatures: { id: string }[] }).temperatures : [];
      for (const { id } of list) {
        if (owner.get(id) === d) storedIds.add(id);
        else misattributed++;
      }
    }
    const accepted = responses.filter((s) => s === 201).length;
    return { accepted, stored: storedIds.size, lost: posts.length - storedIds.size, misattributed, ms };
  } finally {
    await mf.dispose();
  }
}

/** certfleet's Worker: identity from the client certificate, one Durable Object per certificate. */
async function runCertfleet(posts: Post[], devices: number): Promise<WorkerLoss> {
  const token = 'bench-token';
  const worker = await startWorker({ exportToken: token, output: 'ignore' });
  try {
    const fingerprint = (d: number) => (d + 1).toString(16).padStart(64, 'f');
    const started = performance.now();
    const responses = await Promise.all(
      posts.map((p) =>
        worker
          .dispatchFetch('https://shield.example/temps', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'CF-Connecting-IP': `10.0.0.${p.device + 1}` },
            body: JSON.stringify({ temperature: p.temperature, time: p.time }),
            cf: {
              tlsClientAuth: {
                certPresented: '1',
                certVerified: 'SUCCESS',
                certRevoked: '0',
                certFingerprintSHA256: fingerprint(p.device),
                certSerial: (p.device + 1).toString(16).toUpperCase().padStart(2, '0'),
                certSKI: '',
              },
            },
          })
          .then(async (r) => (await r.arrayBuffer(), r.status)),
      ),
    );
    const ms = Math.round(performance.now() - started);

    const byTemperature = new Map(posts.map((p) => [p.temperature, p]));
    const storedIds = new Set<string>();
    let misattributed = 0;
    for (let d = 0; d < devices; d++) {
      const res = await worker.dispatchFetch(
        `https://shield.example/export/readings?fingerprint=${fingerprint(d)}&limit=5000`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const { readings } = (await res.json()) as { readings: { temperature: number }[] };
      for (const { temperature } of readings) {
        const post = byTemperature.get(temperature);
        if (post?.device === d) storedIds.add(post.id);
        else misattributed++;
      }
    }
    const accepted = responses.filter((s) => s === 201).length;
    return { accepted, stored: storedIds.size, lost: posts.length - storedIds.size, misattributed, ms };
  } finally {
    await worker.stop();
  }
}

/**
 * Sends the same burst to the seed's KV Worker and to ours and counts what each kept.
 * @returns per Worker: accepted (201s), stored, lost, misattributed, and the burst's duration.
 */
export async function measureLostReadings(
  opts: { devices?: number; postsPerDevice?: number; rounds?: number; kvLatencyMs?: number | null } = {},
): Promise<LostReadingsReport> {
  const devices = opts.devices ?? 20;
  const postsPerDevice = opts.postsPerDevice ?? 10;
  // A race shows up or not depending on scheduling, so one burst is a sample; a few rounds give a fairer count.
  const rounds = opts.rounds ?? 3;
  const posts = burst(devices, postsPerDevice);
  const kvLatencyMs = opts.kvLatencyMs === undefined ? 10 : opts.kvLatencyMs;
  const seedRounds: WorkerLoss[] = [];
  const slowRounds: WorkerLoss[] = [];
  const ourRounds: WorkerLoss[] = [];
  for (let i = 0; i < rounds; i++) {
    // One after the other, fresh storage each time: they share two cores with whatever else runs.
    seedRounds.push(await runSeed(posts, devices));
    if (kvLatencyMs !== null) slowRounds.push(await runSeed(posts, devices, kvLatencyMs));
    ourRounds.push(await runCertfleet(posts, devices));
  }
  return {
    devices,
    postsPerDevice,
    sent: posts.length,
    rounds,
    seed: total(seedRounds),
    seedWithKvLatency: kvLatencyMs === null ? null : { ...total(slowRounds), kvLatencyMs },
    certfleet: total(ourRounds),
  };
}

function total(rounds: WorkerLoss[]): RoundsTotal {
  const sum = (k: keyof WorkerLoss) => rounds.reduce((n, r) => n + r[k], 0);
  return {
    accepted: sum('accepted'),
    stored: sum('stored'),
    lost: sum('lost'),
    misattributed: sum('misattributed'),
    ms: sum('ms'),
    lostPerRound: rounds.map((r) => r.lost),
  };
}

/** A Markdown table for docs/benchmarks.md. */
export function formatLostReadings(r: LostReadingsReport): string {
  const row = (name: string, w: RoundsTotal) =>
    `| ${name} | ${r.sent * r.rounds} | ${w.accepted} | ${w.stored} | ${w.lost} (${w.lostPerRound.join(' + ')}) | ${w.misattributed} | ${Math.round(w.ms / r.rounds)} |`;
  return [
    `${r.rounds} rounds of ${r.devices} devices × ${r.postsPerDevice} posts, each round's ${r.sent} posts in flight at once (miniflare, workerd):`,
    '',
    '| Worker | sent | answered 201 | stored under the right device | lost (per round) | entries filed under another device | ms per round |',
    '|---|---|---|---|---|---|---|',
    row('seed (KV keyed by IP), miniflare\'s in-process KV', r.seed),
    ...(r.seedWithKvLatency ? [row(`seed, KV ${r.seedWithKvLatency.kvLatencyMs} ms away`, r.seedWithKvLatency)] : []),
    row('certfleet (Durable Object per certificate)', r.certfleet),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const report = await measureLostReadings({
    devices: arg('devices'),
    postsPerDevice: arg('posts'),
    rounds: arg('rounds'),
    kvLatencyMs: arg('kv-latency'),
  });
  console.log(formatLostReadings(report));
}

// `npm run bench -- --only est-renewal`: a fleet entering its renewal window at once (issue 16, item 6).
//
// N devices each hold a current certificate of the local Cloudflare, inside their group's renewal window (an EST
// policy that refuses early renewal, so the job checks it). Every device sends simplereenroll at once through the
// local edge: a real mTLS handshake with its own certificate, the Worker in workerd storing the request. certfleet's
// EST job (lib/est/sync.ts, in a process of its own: lib/est/testing/sync-loop.ts) issues through the one
// Cloudflare door under the shared budget and hands each certificate back; the bench kills that process (SIGKILL)
// half way and starts a second, as the queue re-runs a job cut by a dead worker. When the Worker has answered every
// request, each device sends its request once more and must get 200 with a certificate for its new key.
//
//   --est-devices 10000    devices (default 10,000)
//   --rate-limit 1200/300  the policy (default Cloudflare's; 1200/60 runs the same shape 5× faster)

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCloudflare } from '@/emulator/index';
import { budgetShape, estimatePacedSeconds, readRatePolicy, type RatePolicy } from '@/lib/cloudflare';
import { recordIssuedCertificate } from '@/lib/certificates/record';
import { certificatesOf, estRequest, type EstClientOptions } from '@/lib/est/client';
import { EstWorkerApi } from '@/lib/est/worker-api';
import { generateKeyAndCsr } from '@/lib/pki';
import { x509 } from '@/lib/pki/crypto';
import { generateKeyPair, signingAlgorithmFor } from '@/lib/pki/keys';
import { encodePem } from '@/lib/pki/pem';
import { createTestDatabase } from '@/lib/testing/test-db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHIELD = 'sensors.est-bench.test';
const GROUP = 'est-bench';
const EXPORT_TOKEN = 'est-bench-export-token';
/** Days of the devices' current certificates; the group renews in the last 30 days, so all are in the window. */
const VALIDITY_DAYS = 7;
/** Device requests in flight at once through the edge (each its own TLS handshake). */
const DEVICE_CONCURRENCY = 32;
/** Devices that also ask again through the edge at the end (all of them: another round of handshakes as long as the first). */
const SAMPLE = 500;
/** A run that answers nothing more for this long has stalled (the heal job settles a cut request within about 3 minutes). */
const STALL_MS = 15 * 60_000;

export interface EstRenewalBenchResult {
  policy: RatePolicy;
  devices: number;
  /** Devices that got 200 with a certificate for their new key when they asked again. */
  renewed: number;
  /** Certificates Cloudflare signed for a device beyond its one new one. */
  issuedTwice: number;
  /** New certificates at Cloudflare that the database does not hold. */
  unrecorded: number;
  /** Requests never answered (still pending at the Worker, or a device without its certificate). */
  lost: number;
  refused: number;
  cloudflareCalls: number;
  seconds: number;
  /** The devices' requests through the edge: how long until the last one was stored. */
  submitSeconds: number;
  minimumSeconds: number;
  estimateSeconds: number;
  maxInWindow: number;
  rateLimited: number;
  killedAfter: number;
  /** Requests answered when the last one was stored at the Worker. */
  answeredWhenStored: number;
  /** Requests whose issuance the kill cut before Cloudflare's answer was noted (the heal job settles them). */
  cutByKill: number;
  /** Of those, still unsettled at the end. */
  waitingForHeal: number;
  /** Devices that also asked again through the edge. */
  sample: number;
  setupSeconds: number;
  database: string;
}

interface BenchDevice {
  name: string;
  certPem: string;
  keyPem: string;
  /** The renewal CSR and its key's SPKI (to check the certificate handed back). */
  csrPem?: string;
  spki?: string;
}

/** Runs `fn` over `items` with `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
    }),
  );
}

const spkiOf = (key: { rawData: ArrayBuffer }) => Buffer.from(key.rawData).toString('base64');

/** A renewal CSR as lib/est/device.ts makes it: a new key, the certificate's subject byte for byte (RFC 7030 §4.2.2). */
async function renewalCsr(certPem: string): Promise<{ csrPem: string; spki: string }> {
  const keys = await generateKeyPair({ algorithm: 'EC' });
  const name = new x509.Name(new x509.X509Certificate(certPem).subjectName.toArrayBuffer());
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: signingAlgorithmFor(keys.privateKey) });
  return { csrPem: encodePem(csr.rawData, 'CERTIFICATE REQUEST'), spki: spkiOf(csr.publicKey) };
}

export async function benchmarkEstRenewal(
  opts: { devices?: number; rateLimit?: string; log?: (line: string) => void } = {},
): Promise<EstRenewalBenchResult> {
  const n = opts.devices ?? 10_000;
  const log = opts.log ?? ((line: string) => console.log(`[est-renewal] ${line}`));
  const policy = readRatePolicy({ CLOUDFLARE_API_RATE_LIMIT: opts.rateLimit ?? '1200/300' });
  const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'PGlite';
  const setupStarted = performance.now();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'certfleet-bench-est-'));
  const db = await createTestDatabase();
  const lc = await startLocalCloudflare({
    dataDir,
    apiPort: 0,
    edgePort: 0,
    revocationDelayMs: 600_000,
    // The request over the limit locks the token out, for the window (Cloudflare: 5 minutes for 5 minutes).
    rateLimit: { ...policy, lockoutMs: policy.windowMs },
    edge: { exportToken: EXPORT_TOKEN, workerOutput: 'ignore', estRetryAfterSeconds: 5 },
  });
  const children: ChildProcess[] = [];
  try {
    const prisma = db.prisma;
    lc.store.setHostnameAssociations([SHIELD]);
    const edgeUrl = (lc.edge as { url: string }).url;
    const workerUrl = String((lc.edge as unknown as { worker: { url: string } }).worker.url);
    await prisma.estPolicy.create({ data: { group: GROUP, windowMode: 'DAYS', windowDays: 30, refuseEarlyRenewal: true, updatedByEmail: 'bench' } });

    // The fleet: certificates made in the emulator's store (no API calls: the budget and the window start empty),
    // recorded by certfleet's own recording function.
    log(`making ${n.toLocaleString('en-US')} devices with certificates in their window`);
    const devices: BenchDevice[] = Array.from({ length: n }, (_, i) => ({ name: `est-sensor-${String(i).padStart(5, '0')}`, certPem: '', keyPem: '' }));
    await prisma.device.createMany({ data: devices.map((d) => ({ name: d.name, group: GROUP, commonName: `${d.name}.devices.test`, status: 'ACTIVE' as const })) });
    const ids = new Map((await prisma.device.findMany({ where: { group: GROUP }, select: { id: true, name: true } })).map((d) => [d.name, d.id]));
    await pool(devices, 8, async (d, i) => {
      const { csrPem, privateKeyPem } = await generateKeyAndCsr({ algorithm: 'EC', subject: { CN: `${d.name}.devices.test` } });
      const c = await lc.store.createClientCertificate({ csr: csrPem, validity_days: VALIDITY_DAYS });
      d.certPem = c.certificate;
      d.keyPem = privateKeyPem;
      await prisma.$transaction((tx) =>
        recordIssuedCertificate(tx, { id: c.id, certificatePem: c.certificate, csrPem: c.csr, status: 'active', validityDays: c.validity_days }, { deviceId: ids.get(d.name)!, source: 'ENROLLED' }),
      );
      Object.assign(d, await renewalCsr(d.certPem));
      if ((i + 1) % 2000 === 0) log(`${i + 1} devices made`);
    });
    const originals = new Set(lc.store.listClientCertificates('all').map((c) => c.id));
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      CLOUDFLARE_API_TOKEN: lc.apiToken,
      CLOUDFLARE_ZONE_ID: lc.zoneId,
      CLOUDFLARE_BASE_URL: lc.apiBaseUrl,
      CLOUDFLARE_API_RATE_LIMIT: `${policy.limit}/${policy.windowMs / 1000}`,
      WORKER_EXPORT_URL: workerUrl,
      WORKER_EXPORT_TOKEN: EXPORT_TOKEN,
    };
    const jobWorker = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/server-only.mjs', 'lib/est/testing/sync-loop.ts'], {
        cwd: root,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
    };
    const tls = (d: BenchDevice): EstClientOptions => ({ baseUrl: edgeUrl, caPem: lc.store.publicCaCertPem(), headers: { host: SHIELD }, certPem: d.certPem, keyPem: d.keyPem });

    // All at once: every device asks; the job worker runs meanwhile, as it would.
    log(`${n.toLocaleString('en-US')} devices send simplereenroll (${DEVICE_CONCURRENCY} handshakes at a time); job worker 1 starts`);
    const callsBefore = lc.stats().requests;
    const started = performance.now();
    const first = jobWorker();
    let submitted = 0;
    const submitFailures: string[] = [];
    let submitSeconds = 0;
    const submitting = pool(devices, DEVICE_CONCURRENCY, async (d) => {
      const res = await estRequest(tls(d), 'simplereenroll', { csrPem: d.csrPem });
      if (res.status !== 202 && res.status !== 200) submitFailures.push(`${d.name}: ${res.status} ${res.body.trim().slice(0, 200)}`);
      submitted++;
    }).then(() => (submitSeconds = (performance.now() - started) / 1000));

    const answered = () => prisma.estRequest.count({ where: { status: { not: 'PENDING' } } });
    const half = Math.floor(n / 2);
    while ((await answered()) < half) await new Promise((r) => setTimeout(r, 250));
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAfter = await answered();
    // Cut by the kill between asking Cloudflare and noting its answer: only the heal job can settle these.
    const cutByKill = await prisma.issuanceIntent.count({ where: { status: 'PENDING', cloudflareId: null } });
    log(`job worker 1 killed (SIGKILL) with ${killedAfter} requests answered, ${cutByKill} cut mid-issuance; job worker 2 takes over`);
    const second = jobWorker();

    // Done when every device's request is stored and the Worker holds none pending.
    const worker = new EstWorkerApi(workerUrl, EXPORT_TOKEN);
    await submitting;
    if (submitFailures.length) throw new Error(`${submitFailures.length} devices were refused at the edge: ${submitFailures.slice(0, 3).join('; ')}`);
    const answeredWhenStored = await answered();
    log(`all ${submitted} requests stored at the Worker after ${submitSeconds.toFixed(1)} s (${answeredWhenStored} answered by then)`);
    // Done when the Worker holds no pending request: those the kill cut are settled by the heal job that job worker 2
    // runs on its schedule (lib/est/testing/sync-loop.ts), then handed back. A bench has no deadline, but one that
    // makes no progress for STALL_MS stops and counts what is left as lost rather than waiting for ever.
    // Progress is a request answered (the Worker's pending list is read one page of 100 at a time, so its length
    // stays at 100 while more are waiting: it cannot tell progress).
    let lastProgress = performance.now();
    let lastAnswered = -1;
    for (;;) {
      const atWorker = (await worker.pending('', 100)).requests.length;
      if (atWorker === 0) break;
      const done = await answered();
      if (done !== lastAnswered) [lastAnswered, lastProgress] = [done, performance.now()];
      else if (performance.now() - lastProgress > STALL_MS) {
        log(`no request answered for ${STALL_MS / 60_000} minutes, ${atWorker === 100 ? '100 or more' : atWorker} pending at the Worker: stopping`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    const waitingForHeal = await prisma.issuanceIntent.count({ where: { status: 'PENDING', cloudflareId: null } });
    const cloudflareCalls = lc.stats().requests - callsBefore;
    const rate = lc.stats().rateLimit;
    second.child.kill('SIGTERM');
    await second.exited;
    log(`every request answered after ${seconds.toFixed(1)} s; devices ask again for their certificates`);

    // What each device's next retry gets: the Worker's answer to its request, which must be a certificate for the
    // device's new key. All of them through the export API; a sample also asks again through the edge (200 + PKCS#7).
    const bySpki = new Map(devices.map((d) => [d.spki!, d]));
    const gotCertificate = new Set<string>();
    for (let after = ''; ; ) {
      const page = await worker.requests('issued', after, 500);
      for (const r of page.requests) {
        const d = r.certificatePem ? bySpki.get(spkiOf(new x509.X509Certificate(r.certificatePem).publicKey)) : undefined;
        if (d) gotCertificate.add(d.name);
      }
      if (!page.hasMore || !page.nextCursor) break;
      after = page.nextCursor;
    }
    const refused = await prisma.estRequest.count({ where: { status: 'REJECTED' } });
    const sample = devices.filter((_, i) => i % Math.max(1, Math.floor(n / SAMPLE)) === 0).slice(0, SAMPLE);
    const notRenewed: string[] = [];
    await pool(sample, DEVICE_CONCURRENCY, async (d) => {
      const res = await estRequest(tls(d), 'simplereenroll', { csrPem: d.csrPem });
      try {
        const [pem] = certificatesOf(res);
        if (!pem || spkiOf(new x509.X509Certificate(pem).publicKey) !== d.spki) notRenewed.push(`${d.name}: a certificate for another key`);
      } catch (error) {
        notRenewed.push(`${d.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    if (notRenewed.length) log(`asked again through the edge, not renewed: ${notRenewed.length}, e.g. ${notRenewed.slice(0, 3).join('; ')}`);
    const renewed = [...gotCertificate].filter((name) => !notRenewed.some((line) => line.startsWith(`${name}:`))).length;

    // What Cloudflare signed, per device, against what the database recorded.
    const perName = new Map<string, number>();
    const fresh = lc.store.listClientCertificates('all').filter((c) => !originals.has(c.id));
    for (const c of fresh) perName.set(c.common_name, (perName.get(c.common_name) ?? 0) + 1);
    const issuedTwice = [...perName.values()].reduce((sum, k) => sum + Math.max(0, k - 1), 0);
    const recorded = new Set((await prisma.certificate.findMany({ where: { source: 'RENEWAL' }, select: { cloudflareId: true } })).map((c) => c.cloudflareId));
    const unrecorded = fresh.filter((c) => !recorded.has(c.id)).length;
    const stillPending = await prisma.estRequest.count({ where: { status: 'PENDING' } });
    return {
      policy,
      devices: n,
      renewed,
      issuedTwice,
      unrecorded,
      lost: Math.max(n - renewed - refused, stillPending),
      refused,
      cloudflareCalls,
      seconds,
      submitSeconds,
      minimumSeconds: (cloudflareCalls / policy.limit) * (policy.windowMs / 1000),
      estimateSeconds: estimatePacedSeconds(cloudflareCalls, policy, 'bulk'),
      maxInWindow: rate.maxInWindow,
      rateLimited: rate.rateLimited,
      killedAfter,
      answeredWhenStored,
      cutByKill,
      waitingForHeal,
      sample: sample.length,
      setupSeconds,
      database,
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await lc.stop();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function formatEstRenewalBenchmark(r: EstRenewalBenchResult): string {
  const shape = budgetShape(r.policy);
  const n = (v: number) => v.toLocaleString('en-US');
  const real = r.policy.limit === 1200 && r.policy.windowMs === 300_000;
  return [
    ...(r.devices < 10_000 ? [`${n(r.devices)} devices (issue 16 asks for 10,000: \`--est-devices 10000\`).`, ''] : []),
    `Policy ${n(r.policy.limit)} requests / ${r.policy.windowMs / 1000} s${real ? " (Cloudflare's)" : ", Cloudflare's 1,200 / 300 s with the window scaled"}; bucket ${shape.capacity}, ${shape.ratePerSecond.toFixed(2)}/s (the limit's own rate is ${(r.policy.limit / (r.policy.windowMs / 1000)).toFixed(2)}/s), pad ${shape.padMs / 1000} s. Budget and records in ${r.database}. Devices made in ${r.setupSeconds.toFixed(0)} s (not timed).`,
    '',
    '| measure | value |',
    '|---|---|',
    `| devices, every one in its window, asking at once through the edge | ${n(r.devices)}: all stored at the Worker after ${r.submitSeconds.toFixed(1)} s (${(r.devices / r.submitSeconds).toFixed(1)}/s), ${n(r.answeredWhenStored)} answered by then |`,
    `| renewed (the Worker holds a certificate for the device's new key; ${n(r.sample)} of them also asked again through the edge and got it, 200) | **${n(r.renewed)}** |`,
    `| issued twice (Cloudflare certificates per device beyond one) | **${n(r.issuedTwice)}** (${n(r.unrecorded)} signed but not in the database) |`,
    `| lost (never answered) | **${n(r.lost)}** (refused: ${n(r.refused)}; cut by the kill before Cloudflare's answer was noted: ${n(r.cutByKill)}, settled by the heal job and handed back but ${n(r.waitingForHeal)}) |`,
    `| job worker 1 killed (SIGKILL) | after ${n(r.killedAfter)} answered; worker 2 finished |`,
    `| Cloudflare calls | ${n(r.cloudflareCalls)} |`,
    `| total time (first request to last answer at the Worker) | ${r.seconds.toFixed(1)} s |`,
    `| the limit's minimum (calls ÷ limit × window) | ${r.minimumSeconds.toFixed(1)} s |`,
    `| ratio | **${(r.seconds / r.minimumSeconds).toFixed(3)} ×** (the budget's own floor ${(r.estimateSeconds / r.minimumSeconds).toFixed(3)} ×) |`,
    `| most requests Cloudflare saw in one window | ${n(r.maxInWindow)} of ${n(r.policy.limit)} |`,
    `| 429 answers | ${r.rateLimited} |`,
  ].join('\n');
}

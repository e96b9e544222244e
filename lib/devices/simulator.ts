// Simulated sensors: each one does what the seed's Python script (seed 001, step 4) does, POST
// {"temperature": "<reading>", "time": "<UTC>"} to /temps over mTLS with its own certificate and key, and a
// fleet runs many of them on a schedule so the dashboard's charts fill up by themselves.

import https from 'node:https';

export interface DeviceCredentials {
  /** PEM of the client certificate (may include intermediates after the leaf). */
  certPem: string;
  /** PEM of its private key. */
  keyPem: string;
  /** For logs; defaults to the index in the fleet. */
  name?: string;
}

export interface TlsOptions {
  /** PEM of the CA that signed the edge's TLS certificate; omit to trust the system roots (a real zone). */
  caPem?: string;
  /** Skip the server check, like `curl -k` (never against a real endpoint). */
  insecure?: boolean;
}

export interface Reading {
  /** A string, as the seed's script sends `str(temp_measurement)`. */
  temperature: string;
  /** UTC, seconds precision: "2020-09-28T02:54:56Z". */
  time: string;
}

export interface PostResult {
  /** HTTP status, or 0 when no response came (TLS or network failure; see `error`). */
  status: number;
  body: string;
  requestBody: string;
  durationMs: number;
  error?: string;
}

/** One keep-alive agent per device: its certificate, its TLS sessions, like a real sensor's HTTP client. */
export function createDeviceAgent(device: DeviceCredentials, tlsOptions: TlsOptions = {}, maxSockets = 1): https.Agent {
  return new https.Agent({
    cert: device.certPem,
    key: device.keyPem,
    ca: tlsOptions.caPem,
    rejectUnauthorized: !tlsOptions.insecure,
    keepAlive: true,
    maxSockets,
  });
}

/** The body exactly as Python's json.dumps writes it (", " and ": " separators), so transcripts match the seed. */
export function readingBody(reading: Reading | { temperature: number | string; time: string }): string {
  return `{"temperature": ${JSON.stringify(reading.temperature)}, "time": ${JSON.stringify(reading.time)}}`;
}

export function utcSeconds(date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * A temperature for device `seed` at time `at`: the seed's 36.1–37.1 °C band, with a per-device offset, a slow
 * hourly swing and noise, so each sensor draws its own recognisable line.
 */
export function sampleTemperature(seed: number, at = Date.now()): number {
  const offset = ((seed * 7919) % 80) / 100 - 0.4;
  const swing = 0.3 * Math.sin((2 * Math.PI * (at / 3_600_000)) + seed);
  const noise = (Math.random() - 0.5) * 0.2;
  return Math.round((36.6 + offset + swing + noise) * 100) / 100;
}

export interface PostReadingOptions extends TlsOptions {
  url: string;
  device?: DeviceCredentials;
  /** Reuse a device agent (createDeviceAgent); otherwise one is made for this request. */
  agent?: https.Agent;
  reading?: { temperature: number | string; time: string };
  /** Raw body instead of a reading (tests of bad input). */
  body?: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** POSTs one reading (or GETs) over mTLS; never throws for HTTP or TLS failures, it reports them. */
export function postReading(opts: PostReadingOptions): Promise<PostResult> {
  const method = opts.method ?? 'POST';
  const requestBody =
    method === 'GET'
      ? ''
      : (opts.body ?? readingBody(opts.reading ?? { temperature: String(sampleTemperature(0)), time: utcSeconds() }));
  const ownAgent = !opts.agent;
  const agent = opts.agent ?? (opts.device ? createDeviceAgent(opts.device, opts) : undefined);
  const started = performance.now();

  return new Promise<PostResult>((resolve) => {
    const done = (result: Omit<PostResult, 'requestBody' | 'durationMs'>) => {
      if (ownAgent) agent?.destroy();
      resolve({ ...result, requestBody, durationMs: Math.round(performance.now() - started) });
    };
    const req = https.request(
      opts.url,
      {
        method,
        agent: agent ?? false,
        ca: agent ? undefined : opts.caPem,
        rejectUnauthorized: agent ? undefined : !opts.insecure,
        headers: {
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs ?? 30_000,
        signal: opts.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => done({ status: 0, body: '', error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', (err) => done({ status: 0, body: '', error: describeError(err) }));
    req.end(requestBody || undefined);
  });
}

function describeError(err: Error & { code?: string }): string {
  if (err.code === 'SELF_SIGNED_CERT_IN_CHAIN' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return `${err.message} (pass the edge's CA with --ca, or CERTFLEET_EDGE_CA_FILE)`;
  }
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

export interface FleetOptions extends TlsOptions {
  url: string;
  devices: DeviceCredentials[];
  /** Time between one device's posts; 0 posts back to back. */
  everyMs: number;
  /** Stops every device (the promise then resolves with the totals). */
  signal?: AbortSignal;
  /** Posts per device; unlimited by default. */
  count?: number;
  /**
   * Spread the first posts over this many ms so a fleet does not post in lockstep; defaults to `everyMs`.
   * Later posts get ±10% jitter for the same reason.
   */
  staggerMs?: number;
  onResult?: (device: DeviceCredentials, index: number, result: PostResult) => void;
  /**
   * Asked before each post: new credentials when the device has changed its certificate (it renewed), which it
   * then posts with; undefined to keep the current ones. A failure is reported to `onRefreshError` and the device
   * posts with what it has, as a real sensor keeps working when a renewal fails.
   */
  refresh?: (device: DeviceCredentials, index: number, signal?: AbortSignal) => Promise<DeviceCredentials | undefined>;
  onRefreshError?: (device: DeviceCredentials, index: number, error: unknown) => void;
  /** What a device reads now; defaults to `sampleTemperature(index)` (a body-temperature-like curve). */
  temperatureFor?: (device: DeviceCredentials, index: number, at: Date) => number;
}

export interface FleetStats {
  devices: number;
  sent: number;
  /** Count per HTTP status; 0 = no response. */
  byStatus: Record<number, number>;
  durationMs: number;
}

/**
 * Runs every device on its own schedule until `signal` aborts or each has posted `count` readings.
 * @returns totals by status (resolves, never rejects, when aborted).
 */
export async function simulateFleet(opts: FleetOptions): Promise<FleetStats> {
  const started = performance.now();
  const stats: FleetStats = { devices: opts.devices.length, sent: 0, byStatus: {}, durationMs: 0 };
  const stagger = opts.staggerMs ?? opts.everyMs;

  await Promise.all(
    opts.devices.map(async (device, index) => {
      let agent = createDeviceAgent(device, opts);
      try {
        if (!(await sleep(Math.random() * stagger, opts.signal))) return;
        for (let n = 0; opts.count === undefined || n < opts.count; n++) {
          if (opts.signal?.aborted) return;
          if (opts.refresh) {
            try {
              const renewed = await opts.refresh(device, index, opts.signal);
              if (renewed) {
                agent.destroy();
                device = renewed;
                agent = createDeviceAgent(device, opts);
              }
            } catch (error) {
              if (opts.signal?.aborted) return;
              opts.onRefreshError?.(device, index, error);
            }
          }
          const result = await postReading({
            url: opts.url,
            agent,
            reading: {
              temperature: String(opts.temperatureFor?.(device, index, new Date()) ?? sampleTemperature(index)),
              time: utcSeconds(),
            },
            signal: opts.signal,
          });
          if (opts.signal?.aborted && result.status === 0) return; // cut off by the abort, not a failure
          stats.sent++;
          stats.byStatus[result.status] = (stats.byStatus[result.status] ?? 0) + 1;
          opts.onResult?.(device, index, result);
          const last = opts.count !== undefined && n + 1 >= opts.count;
          if (!last && !(await sleep(opts.everyMs * (0.9 + Math.random() * 0.2), opts.signal))) return;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  stats.durationMs = Math.round(performance.now() - started);
  return stats;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

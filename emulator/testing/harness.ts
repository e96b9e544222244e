/**
 * Test support: a local Cloudflare on port 0 in a temp dir, the official SDK pointed at it, and a
 * raw HTTP helper for checking exact status codes and headers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Cloudflare from 'cloudflare';
import { startLocalCloudflare, type LocalCloudflare, type StartLocalCloudflareOptions } from '../index';

export interface TestCloudflare extends LocalCloudflare {
  /** The official SDK, no retries (tests see every answer). */
  sdk: Cloudflare;
  /** Stops the emulator and deletes its temp dir. */
  cleanup(): Promise<void>;
}

export async function startTestCloudflare(opts: Partial<StartLocalCloudflareOptions> = {}): Promise<TestCloudflare> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'certfleet-cf-'));
  const lc = await startLocalCloudflare({ revocationDelayMs: 150, reactivationDelayMs: 150, hostnameActivationDelayMs: 100, ...opts, dataDir });
  const sdk = new Cloudflare({ apiToken: lc.apiToken, apiKey: null, apiEmail: null, userServiceKey: null, baseURL: lc.apiBaseUrl, maxRetries: 0 });
  return Object.assign(lc, {
    sdk,
    cleanup: async () => {
      await lc.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  // Untyped on purpose: tests assert on the wire format field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

/** One HTTP request with the emulator's token (auth: 'token'), its email+key ('key') or none. */
export async function raw(
  lc: LocalCloudflare,
  method: string,
  apiPath: string,
  opts: { body?: unknown; auth?: 'token' | 'key' | 'none'; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const auth = opts.auth ?? 'token';
  if (auth === 'token') headers.authorization = `Bearer ${lc.apiToken}`;
  if (auth === 'key') Object.assign(headers, { 'x-auth-email': lc.apiEmail, 'x-auth-key': lc.apiKey });
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const url = apiPath.startsWith('/emulator/') ? `${lc.origin}${apiPath}` : `${lc.apiBaseUrl}${apiPath}`;
  const res = await fetch(url, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json: json as RawResponse['json'], text };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns true or `ms` passes. */
export async function eventually(fn: () => Promise<boolean> | boolean, ms = 3000, step = 25): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(step);
  }
}

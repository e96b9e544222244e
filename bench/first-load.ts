// `npm run bench -- --only first-load`: the JavaScript each dashboard route sends a browser on a cold load.
//
// Builds when the build is stale (scripts/lib/build.ts), starts the e2e stack (scripts/serve-test.ts: a fresh
// database with the seeded demo fleet, the local Cloudflare, `next start`) on --first-load-port (default 3204),
// signs in as the ADMIN demo user in Debian's Chromium and opens each route in a new tab with the cache
// disabled. Every script response is counted with the bytes Chromium received for it (CDP
// `Network.loadingFinished` `encodedDataLength`: the gzip-compressed body as `next start` sends it, plus the
// response headers). "First load" is the scripts the route's HTML names (its <script> tags, preloads and the
// client chunks of its RSC payload); "later" is what the page's own code imports after that (a chart, a dialog),
// counted until the network is idle after hydration.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { buildIfStale } from '../scripts/lib/build';
import { stopChild } from '../scripts/lib/processes';
import { launchChromium, root, signedInContext, startStack } from './browser';

/** The last run's figures, to compare a change against (`--first-load-before <file>`). */
export const FIRST_LOAD_LAST = path.join(root, '.test-data', 'first-load.json');
/** The figures of the code before issue 12's cuts, shown beside each run. */
export const FIRST_LOAD_BEFORE = path.join(root, 'bench', 'fixtures', 'first-load-before.json');

/** The target of issue 12: compressed first-load JavaScript per dashboard route. */
export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;

export interface RouteLoad {
  route: string;
  /** The path opened (a device's pages with the demo device filled in). */
  path: string;
  firstLoadBytes: number;
  firstLoadScripts: number;
  laterBytes: number;
  laterScripts: number;
}

export interface FirstLoadResult {
  routes: RouteLoad[];
  machine: string;
}

/** Each main dashboard route; `:device` is replaced by a demo device's id. */
const ROUTES = [
  '/',
  '/devices',
  '/devices/enroll',
  '/devices/bulk',
  '/devices/:device',
  '/devices/:device/renew',
  '/certificates',
  '/readings',
  '/readings/:device',
  '/doctor',
  '/reconcile',
  '/est',
  '/est/planner',
  '/mtls',
  '/custom-csrs',
  '/alerts',
  '/alerts/rules',
  '/alerts/channels',
  '/audit',
  '/settings',
  '/users',
  '/api-reference',
];

async function measure(page: Page, url: string): Promise<Omit<RouteLoad, 'route' | 'path'>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const scripts = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') scripts.set(e.requestId, e.response.url);
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes.set(e.requestId, e.encodedDataLength);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
  const html = await response.text();
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 0 });
  await page.waitForLoadState('networkidle');
  const result = { firstLoadBytes: 0, firstLoadScripts: 0, laterBytes: 0, laterScripts: 0 };
  for (const [id, scriptUrl] of scripts) {
    const size = bytes.get(id);
    if (size === undefined) throw new Error(`${scriptUrl} did not finish loading`);
    // Named by the document (a <script>, a preload, or a client chunk of the RSC payload inlined in it).
    if (html.includes(new URL(scriptUrl).pathname)) {
      result.firstLoadBytes += size;
      result.firstLoadScripts += 1;
    } else {
      result.laterBytes += size;
      result.laterScripts += 1;
    }
  }
  await cdp.detach();
  return result;
}

export async function benchmarkFirstLoad(opts: { port?: number } = {}): Promise<FirstLoadResult> {
  const browser = await launchChromium();
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  try {
    if (await buildIfStale(root)) console.log('[first-load] built');
    stack = await startStack(opts.port ?? 3204);
    const context = await signedInContext(browser, stack.url);
    const signin = await context.newPage();
    await signin.goto('/devices');
    const deviceHref = await signin.locator('main a[href^="/devices/"]:not([href="/devices/enroll"]):not([href="/devices/bulk"])').first().getAttribute('href', { timeout: 0 });
    const device = /^\/devices\/([^/?#]+)/.exec(deviceHref ?? '')?.[1];
    if (!device) throw new Error(`no device link on /devices (${deviceHref})`);
    await signin.close();

    const routes: RouteLoad[] = [];
    for (const route of ROUTES) {
      const routePath = route.replace(':device', device);
      const page = await context.newPage();
      routes.push({ route, path: routePath, ...(await measure(page, `${stack.url}${routePath}`)) });
      await page.close();
      console.log(`[first-load] ${route}: ${kB(routes.at(-1)!.firstLoadBytes)} kB + ${kB(routes.at(-1)!.laterBytes)} kB later`);
    }
    const result = { routes, machine: `${(await import('node:os')).cpus().length} cores, Chromium ${browser.version()}` };
    mkdirSync(path.dirname(FIRST_LOAD_LAST), { recursive: true });
    writeFileSync(FIRST_LOAD_LAST, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await browser.close();
    if (stack) await stopChild(stack.child, 30_000);
  }
}

const kB = (bytes: number) => (bytes / 1024).toFixed(1);

/** First-load bytes per route from a saved run (FIRST_LOAD_LAST's format), or undefined when there is none. */
export function readFirstLoadBefore(file = FIRST_LOAD_BEFORE): Record<string, number> | undefined {
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as FirstLoadResult;
  return Object.fromEntries(saved.routes.map((r) => [r.route, r.firstLoadBytes]));
}

export function formatFirstLoadBenchmark(result: FirstLoadResult, before?: Record<string, number>): string {
  const lines = [
    `Production build (\`next build\`, \`next start\`), signed in as the ADMIN demo user, ${result.machine}. kB = 1,024 bytes as received (gzip).`,
    '',
    `| route | first load (kB) | ≤ ${FIRST_LOAD_BUDGET_BYTES / 1024} kB | scripts | loaded later by the page (kB) |${before ? ' before (kB) |' : ''}`,
    `|---|---:|:---:|---:|---:|${before ? '---:|' : ''}`,
  ];
  for (const r of result.routes) {
    const ok = r.firstLoadBytes <= FIRST_LOAD_BUDGET_BYTES ? '✓' : '✗';
    const was = before ? ` ${before[r.route] === undefined ? '—' : kB(before[r.route]!)} |` : '';
    lines.push(`| \`${r.route}\` | ${kB(r.firstLoadBytes)} | ${ok} | ${r.firstLoadScripts} | ${r.laterBytes ? `${kB(r.laterBytes)} (${r.laterScripts})` : '—'} |${was}`);
  }
  const over = result.routes.filter((r) => r.firstLoadBytes > FIRST_LOAD_BUDGET_BYTES);
  lines.push('', over.length ? `${over.length} of ${result.routes.length} routes over ${FIRST_LOAD_BUDGET_BYTES / 1024} kB: ${over.map((r) => `\`${r.route}\``).join(', ')}.` : `Every route at or under ${FIRST_LOAD_BUDGET_BYTES / 1024} kB.`);
  return lines.join('\n');
}

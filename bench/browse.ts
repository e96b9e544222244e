// `npm run bench -- --only browse`: the dashboard at fleet size, in Chromium (issue 12: "a 100,000-device database
// opens in Chromium with every list and the Overview responding at once").
//
// Builds when the build is stale, starts the e2e stack (scripts/serve-test.ts: a fresh database, the demo fleet, the
// local Cloudflare, the job worker and the simulated sensors, `next start`) with E2E_FLEET=N, so the database also holds
// a generated fleet of N devices, 2.5 N certificates and 10 N audit events (lib/db/scale-fleet.ts, the inventory
// benchmark's fleet). Signs in as the ADMIN demo user in Debian's Chromium and opens each screen, --browse-runs times
// after one warm-up, timing two things per visit:
//   server: the document from request to its last byte (Navigation Timing responseEnd − requestStart): the app's
//           whole server render, the lists streamed in behind their skeletons included;
//   shown:  from the navigation's start until the screen's content is visible and nothing is marked busy.
// Typing a search is timed too: from Enter in the devices search box to the one matching row (a client navigation;
// the box's 300 ms debounce is skipped by Enter, as a person pasting a serial does).
//
//   --browse-devices 100000   the generated fleet (default 100,000; on PGlite loading it takes long: use DATABASE_URL)
//   --browse-runs 10          visits per screen after the warm-up
//   --browse-port 3205

import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Locator, Page } from '@playwright/test';
import { buildIfStale } from '../scripts/lib/build';
import { stopChild } from '../scripts/lib/processes';
import { launchChromium, root, signedInContext, startStack } from './browser';

/** What one generated fleet row holds (lib/db/scale-fleet.ts derives every identifier from its row number). */
function generated(n: number) {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  return {
    device: `d${n}`,
    name: `sensor-${String(n).padStart(6, '0')}`,
    certificate: `c${n}`,
    serial: `4${md5(`s${n}`).slice(1)}`.toUpperCase(),
    fingerprint: createHash('sha256').update(`f${n}`).digest('hex'),
  };
}

/** A serial as a person copies it from a browser's certificate viewer: colon-separated pairs. */
const withColons = (hex: string) => hex.match(/../g)!.join(':');

interface Screen {
  label: string;
  path: string;
  /** Visible when the screen shows what it is for. */
  ready(page: Page): Locator;
}

const table = (name: string, text?: string) => (page: Page) => {
  const rows = page.getByRole('table', { name, exact: true }).locator('tbody tr');
  return text ? rows.filter({ hasText: text }).first() : rows.first();
};

function screens(devices: number): Screen[] {
  const mid = generated(Math.ceil(devices / 2));
  const last = generated(devices);
  return [
    { label: 'Overview: expiry cards, 12-month forecast, at-risk renewals', path: '/', ready: (p) => p.getByTestId('forecast-summary') },
    { label: 'devices, first page', path: '/devices', ready: table('Devices') },
    { label: 'devices sorted by expiry', path: '/devices?sort=expiresOn&dir=asc', ready: table('Devices') },
    { label: 'devices sorted by last seen, latest first', path: '/devices?sort=lastSeenAt&dir=desc', ready: table('Devices') },
    { label: 'devices, page 1,000', path: '/devices?page=1000', ready: table('Devices') },
    { label: 'devices, one group, expiring within 30 days', path: '/devices?group=group-07&band=30', ready: table('Devices') },
    { label: 'device search by serial (colons)', path: `/devices?q=${encodeURIComponent(withColons(mid.serial))}`, ready: table('Devices', mid.name) },
    { label: 'device search by fingerprint', path: `/devices?q=${mid.fingerprint}`, ready: table('Devices', mid.name) },
    { label: 'device search by a name fragment', path: `/devices?q=${last.name.slice(-5)}`, ready: table('Devices', last.name) },
    { label: 'certificates, first page', path: '/certificates', ready: table('Certificates') },
    { label: 'certificates, revoked, sorted by serial', path: '/certificates?status=REVOKED&sort=serialNumber', ready: table('Certificates') },
    { label: 'certificate search by fingerprint', path: `/certificates?q=${mid.fingerprint.toUpperCase()}`, ready: table('Certificates', mid.name) },
    { label: 'a device', path: `/devices/${mid.device}`, ready: (p) => p.getByRole('heading', { name: mid.name, level: 1 }) },
    { label: 'a certificate', path: `/certificates/${mid.certificate}`, ready: (p) => p.getByRole('heading', { name: mid.name, level: 1 }) },
    { label: 'audit log', path: '/audit', ready: table('Audit log') },
    { label: 'audit by actor', path: '/audit?actor=user7%40fleet.example', ready: table('Audit log', 'user7@fleet.example') },
    { label: 'audit by action', path: '/audit?action=certificate.revoke', ready: table('Audit log') },
    { label: 'renewal planner', path: '/est/planner', ready: (p) => p.getByRole('heading', { name: 'Renewal planner', level: 1 }) },
    { label: 'alerts', path: '/alerts', ready: (p) => p.getByRole('heading', { name: 'Alerts', level: 1 }) },
    { label: 'readings (fleet chart, 24 h)', path: '/readings', ready: (p) => p.getByTestId('fleet-devices-range') },
    { label: 'readings, device page 1,000', path: '/readings?page=1000', ready: (p) => p.getByTestId('fleet-devices-range') },
    { label: 'readings, late devices', path: '/readings?health=late', ready: (p) => p.getByTestId('fleet-devices-range') },
    { label: 'reconcile', path: '/reconcile', ready: (p) => p.getByRole('heading', { name: 'Reconcile with Cloudflare', level: 1 }) },
  ];
}

export interface ScreenTiming {
  label: string;
  path: string;
  serverMs: number[];
  shownMs: number[];
  /** Why the screen did not show, when it did not. */
  failed?: string;
}

export interface BrowseResult {
  devices: number;
  runs: number;
  screens: ScreenTiming[];
  /** Enter in the devices search box to the matching row. */
  typedSearchMs: number[];
  database: string;
  loadSeconds: number;
  machine: string;
}

/** A screen that did not show: the dashboard's error page (app/(dashboard)/error.tsx) or an HTTP error. */
class ScreenFailed extends Error {}

/** One visit: navigation start to content visible with nothing busy, and the document's server time. */
async function visit(page: Page, screen: Screen): Promise<{ serverMs: number; shownMs: number }> {
  const started = performance.now();
  const response = await page.goto(screen.path, { waitUntil: 'commit' });
  if (!response?.ok()) throw new ScreenFailed(`answered HTTP ${response?.status()}`);
  const failed = page.getByRole('heading', { name: 'Something went wrong' });
  await screen.ready(page).or(failed).first().waitFor({ state: 'visible', timeout: 0 });
  if (await failed.isVisible()) throw new ScreenFailed(`showed "Something went wrong" after ${Math.round(performance.now() - started)} ms`);
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: 0 });
  const shownMs = performance.now() - started;
  await page.waitForLoadState('load');
  const serverMs = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return nav!.responseEnd - nav!.requestStart;
  });
  return { serverMs, shownMs };
}

/** Enter in the devices search box to the one matching row, from a fresh /devices. */
async function typedSearch(page: Page, serial: string, name: string): Promise<number> {
  await page.goto('/devices', { waitUntil: 'load' });
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 0 });
  const box = page.getByRole('searchbox');
  await box.fill(serial);
  const started = performance.now();
  await box.press('Enter');
  await table('Devices', name)(page).waitFor({ state: 'visible', timeout: 0 });
  await page.getByRole('table', { name: 'Devices', exact: true }).locator('tbody tr').nth(1).waitFor({ state: 'detached', timeout: 0 });
  return performance.now() - started;
}

export async function benchmarkBrowse(opts: { devices?: number; runs?: number; port?: number; log?: (line: string) => void } = {}): Promise<BrowseResult> {
  const devices = opts.devices ?? 100_000;
  const runs = opts.runs ?? 10;
  const log = opts.log ?? ((line: string) => console.log(`[browse] ${line}`));
  const browser = await launchChromium();
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  try {
    if (await buildIfStale(root)) log('built');
    const loadStarted = performance.now();
    log(`starting the e2e stack with a generated fleet of ${devices.toLocaleString('en-US')} devices`);
    stack = await startStack(opts.port ?? 3205, { env: { E2E_FLEET: String(devices) }, log });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const context = await signedInContext(browser, stack.url);
    const page = await context.newPage();
    const result: BrowseResult = {
      devices,
      runs,
      screens: [],
      typedSearchMs: [],
      database: process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'PGlite',
      loadSeconds,
      machine: `${os.cpus().length} cores, Chromium ${browser.version()}`,
    };
    for (const screen of screens(devices)) {
      const timing: ScreenTiming = { label: screen.label, path: screen.path, serverMs: [], shownMs: [] };
      try {
        await visit(page, screen);
        for (let i = 0; i < runs; i++) {
          const t = await visit(page, screen);
          timing.serverMs.push(t.serverMs);
          timing.shownMs.push(t.shownMs);
        }
        log(`${screen.label}: server p50 ${p(timing.serverMs, 50).toFixed(0)} ms, shown p50 ${p(timing.shownMs, 50).toFixed(0)} ms`);
      } catch (error) {
        // A screen that fails is a finding, not the end of the walk: said in the table, the others still timed.
        if (!(error instanceof ScreenFailed)) throw error;
        timing.failed = error.message;
        log(`${screen.label}: FAILED, ${error.message}`);
      }
      result.screens.push(timing);
    }
    for (let i = 0; i <= runs; i++) {
      const row = generated(1 + ((i * 7919) % devices));
      const ms = await typedSearch(page, withColons(row.serial), row.name);
      if (i > 0) result.typedSearchMs.push(ms);
    }
    log(`typed search: p50 ${p(result.typedSearchMs, 50).toFixed(0)} ms`);
    return result;
  } finally {
    await browser.close();
    if (stack) await stopChild(stack.child, 30_000);
  }
}

function p(values: number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((percentile / 100) * sorted.length) - 1)]!;
}

/** "At once": Nielsen's limit for a person's flow of thought is 1 s; each screen's p95 is held to it. */
export const AT_ONCE_MS = 1_000;

export function formatBrowseBenchmark(r: BrowseResult): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const ms = (values: number[]) => `${n(Math.round(p(values, 50)))} / ${n(Math.round(p(values, 95)))}`;
  const lines = [
    `${n(r.devices)} generated devices (${n(Math.round(r.devices * 2.5))} certificates, ${n(r.devices * 10)} audit events) beside the demo fleet, in ${r.database}; stack started and fleet loaded in ${r.loadSeconds.toFixed(0)} s (not timed). Production build, signed in as the ADMIN demo user, ${r.machine}; ${r.runs} visits per screen after one warm-up, the job worker and the simulated sensors running.`,
    '',
    `| screen | path | server p50 / p95 ms | shown p50 / p95 ms | shown p95 ≤ ${n(AT_ONCE_MS)} ms |`,
    '|---|---|---:|---:|:---:|',
    ...r.screens.map((s) => {
      const path = `\`${s.path.length > 60 ? `${s.path.slice(0, 57)}…` : s.path}\``;
      return s.failed ? `| ${s.label} | ${path} | **failed**: ${s.failed} | — | ✗ |` : `| ${s.label} | ${path} | ${ms(s.serverMs)} | ${ms(s.shownMs)} | ${p(s.shownMs, 95) <= AT_ONCE_MS ? '✓' : '✗'} |`;
    }),
    `| typing a serial (colons) in the devices search, Enter to the one row | client navigation | — | ${ms(r.typedSearchMs)} | ${p(r.typedSearchMs, 95) <= AT_ONCE_MS ? '✓' : '✗'} |`,
  ];
  const slow = r.screens.filter((s) => s.failed || p(s.shownMs, 95) > AT_ONCE_MS);
  lines.push('', slow.length ? `${slow.length} of ${r.screens.length} screens over ${n(AT_ONCE_MS)} ms at p95 or failed: ${slow.map((s) => s.label).join('; ')}.` : `Every screen shown within ${n(AT_ONCE_MS)} ms at p95.`);
  return lines.join('\n');
}

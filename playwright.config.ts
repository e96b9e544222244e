import { defineConfig } from '@playwright/test';
import { chromiumPath } from './scripts/lib/chromium';

const port = Number(process.env.E2E_PORT ?? 3100);

/**
 * End-to-end specs drive Debian's Chromium (Playwright's own browser download is not reachable
 * offline). The web server is a whole throwaway stack: a fresh database, a local Cloudflare in a
 * temporary directory, the seeded demo fleet and `next start`; it never touches `.data/`.
 */
export default defineConfig({
  testDir: 'e2e',
  // Backstops against a hang, not measures of speed: specs wait for events (a page hydrated, a text shown),
  // and a busy 2-core machine (a CI run beside other work) can take tens of seconds for what takes one here.
  timeout: 600_000,
  expect: { timeout: 90_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testIgnore: /bulk-enroll\.spec\.ts/ },
    // 200 issuances under a tightened rate limit keep PGlite and the local Cloudflare busy for a minute:
    // run them after the other specs so their pages are not measured against that load.
    { name: 'chromium-bulk', use: { browserName: 'chromium' }, testMatch: /bulk-enroll\.spec\.ts/, dependencies: ['chromium'] },
  ],
  webServer: {
    command: `node --import tsx --import ./scripts/server-only.mjs scripts/serve-test.ts`,
    url: `http://127.0.0.1:${port}/signin`,
    env: { E2E_PORT: String(port) },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});

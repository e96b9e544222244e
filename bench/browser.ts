// The browser benchmarks' shared parts (first-load.ts, browse.ts): the e2e stack as Playwright starts it, Debian's
// Chromium, and signing in as a demo user.

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { DEMO_PASSWORD, demoUser } from '@/lib/auth/demo-users';
import { chromiumPath, CHROMIUM_HINT } from '../scripts/lib/chromium';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts scripts/serve-test.ts (as Playwright's webServer does) and resolves once it says it is ready; `env` adds to
 * this process's environment (E2E_FLEET: a generated fleet beside the demo's). Progress lines go to `log`.
 */
export function startStack(port: number, opts: { env?: Record<string, string>; log?: (line: string) => void } = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/server-only.mjs', 'scripts/serve-test.ts'], {
    cwd: root,
    env: { ...process.env, ...opts.env, E2E_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (/^\[e2e-server\] (seeded|fleet:)/.test(line)) opts.log?.(line);
        const ready = /\[e2e-server\] ready on (\S+)/.exec(line);
        if (ready) {
          child.stdout!.removeAllListeners('data');
          child.stdout!.resume();
          resolve({ url: ready[1]!, child });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`the e2e stack exited with ${code} before it was ready`)));
  });
}

/** Debian's Chromium with the flags this machine needs; throws what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(CHROMIUM_HINT);
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A browser context signed in as the demo user of `role`, through the sign-in form. */
export async function signedInContext(browser: Browser, baseURL: string, role: Parameters<typeof demoUser>[0] = 'ADMIN'): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/signin');
  const user = demoUser(role);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('current-user').filter({ hasText: user.name }).waitFor({ timeout: 0 });
  await page.close();
  return context;
}

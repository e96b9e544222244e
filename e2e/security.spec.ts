import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type APIRequestContext, type APIResponse, type Browser, type BrowserContext, type Page, request as playwrightRequest } from '@playwright/test';
import { expect, test, waitForHydration } from './fixtures';
import { demoUser } from '../lib/auth/demo-users';
import type { RoleName } from '../lib/auth/permissions';
import { DEMO_PASSWORD, mainNav, submitSignIn, uniqueEmail } from './helpers';

/*
 * Issue 13 replayed over real HTTP against the built app (docs/security.md): every finding of the review
 * gets the safe answer. Requests go through Playwright's API client with a signed-in browser's cookies;
 * the cross-site attack is a real page on another origin that Chromium submits.
 */

/** Signs in through the form and waits, however long a busy machine takes (the test's timeout is the only bound), for the dashboard to show the user. */
async function signInAs(page: Page, email: string, name: string) {
  await page.goto('/signin');
  await submitSignIn(page, email, DEMO_PASSWORD);
  await page.getByTestId('current-user').filter({ hasText: name }).waitFor({ timeout: 0 });
  await waitForHydration(page);
}

async function sessionFor(browser: Browser, role: RoleName) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = demoUser(role);
  await signInAs(page, user.email, user.name);
  return { context, page, request: context.request };
}

/** Headers every answer carries. */
function expectSecurityHeaders(response: APIResponse, what: string) {
  const headers = response.headers();
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['permissions-policy'], what).toContain('camera=()');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
}

test.describe('security headers', () => {
  test('[ADMIN][HEADERS]: every page has a nonce CSP without unsafe-inline scripts, hydrates under it, and the API is no-store', async ({ browser, baseURL }) => {
    const admin = await sessionFor(browser, 'ADMIN');
    const violations: string[] = [];
    admin.page.on('console', (message) => {
      if (/Content Security Policy|Refused to (execute|load)/i.test(message.text())) violations.push(message.text());
    });
    const nonces = new Set<string>();
    for (const path of ['/', '/devices', '/certificates', '/readings', '/users', '/settings', '/alerts', '/audit', '/devices/enroll']) {
      const response = await admin.page.goto(path);
      expect(response?.status(), path).toBe(200);
      const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
      const script = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
      expect(script, path).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
      expect(script, path).not.toContain('unsafe-inline');
      expect(script, path).not.toContain('unsafe-eval');
      nonces.add(script.match(/'nonce-([^']+)'/)![1]!);
      expectSecurityHeaders(response as unknown as APIResponse, path);
      // The page hydrated (fixtures' goto waited for it): a client control still works under the CSP.
      await expect(mainNav(admin.page)).toBeVisible();
    }
    expect(nonces.size, 'a fresh nonce per page').toBe(9);
    await admin.page.goto('/devices');
    await admin.page.getByRole('link', { name: 'Certificates' }).first().click();
    await expect(admin.page).toHaveURL(/\/certificates/);
    expect(violations).toEqual([]);

    for (const path of ['/api/me', '/api/devices', '/api/alerts/summary', '/api/certificates?q=x']) {
      const response = await admin.request.get(path);
      expect(response.status(), path).toBe(200);
      expect(response.headers()['cache-control'], path).toBe('no-store');
      expectSecurityHeaders(response, path);
    }
    const anonymous = await playwrightRequest.newContext({ baseURL });
    const signInPage = await anonymous.get('/signin');
    expectSecurityHeaders(signInPage, '/signin');
    const refused = await anonymous.get('/api/me');
    expect(refused.status()).toBe(401);
    expect(refused.headers()['cache-control']).toBe('no-store');
    expectSecurityHeaders(refused, '401');
    await anonymous.dispose();
    await admin.context.close();
  });
});

test.describe('cross-site requests', () => {
  let attacker: Server;
  let attackerOrigin: string;

  test.beforeAll(async () => {
    // Another origin on the same site (127.0.0.1, another port): SameSite cookies do not stop its forms.
    attacker = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://attacker');
      const target = url.searchParams.get('target') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="POST" action="${target.replace(/"/g, '')}"><input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(Number(process.env.HARDEN_ATTACKER_PORT ?? 0), '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => attacker.close(resolve));
  });

  test('[SUPPORT][CSRF]: a form on another origin cannot reactivate, retry or pull: 403 with a message, nothing runs', async ({ browser, baseURL }) => {
    const support = await sessionFor(browser, 'SUPPORT');
    const { rows } = (await (await support.request.get('/api/certificates?perPage=10')).json()) as { rows: { id: string; status: string }[] };
    const certificate = rows[0]!;
    for (const path of [`/api/certificates/${certificate.id}/reactivate`, '/api/readings/pull', '/api/bulk/jobs/some-job/retry', '/api/bulk/jobs/some-job/process']) {
      const answered = support.page.waitForResponse((r) => r.url() === `${baseURL}${path}`);
      await support.page.goto(`${attackerOrigin}/?target=${encodeURIComponent(`${baseURL}${path}`)}`);
      const response = await answered;
      expect(response.status(), path).toBe(403);
      expect(await response.json(), path).toEqual({
        error: { code: 'CROSS_ORIGIN', message: `This request came from another site (${attackerOrigin}); certfleet only accepts changes from its own pages.` },
      });
    }
    // The same SUPPORT session, same origin, still works: the refusals above are the origin, not the session.
    const own = await support.request.get(`/api/certificates/${certificate.id}`);
    expect(own.status()).toBe(200);
    expect((await own.json()).status).toBe(certificate.status);
    await support.context.close();
  });

  test('[ADMIN][CSRF]: a server action from a foreign origin is a 403 with a message (Next answered 500)', async ({ browser }) => {
    const admin = await sessionFor(browser, 'ADMIN');
    for (const headers of <Record<string, string>[]>[{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
      const response = await admin.request.post('/users', { headers: { 'next-action': '7f00000000000000000000000000000000000000', ...headers }, data: '[]' });
      expect(response.status(), JSON.stringify(headers)).toBe(403);
      expect(await response.text()).toMatch(/certfleet only accepts changes from its own pages/);
    }
    await admin.context.close();
  });
});

test.describe('bad input gets a clear 4xx, never a 500', () => {
  test('[ADMIN][CORPUS]: 150+ malformed requests across route handlers and pages', async ({ browser }) => {
    const admin = await sessionFor(browser, 'ADMIN');
    const req = admin.request;
    const NUL = '%00';
    const long = 'x'.repeat(65);
    const huge = 'y'.repeat(1024 * 1024 + 10);
    type Case = { name: string; send: () => Promise<APIResponse>; status?: number | number[]; message?: RegExp };
    const cases: Case[] = [];
    const get = (path: string, status?: number | number[], message?: RegExp) => cases.push({ name: `GET ${path.slice(0, 120)}`, send: () => req.get(path, { maxRedirects: 0 }), status, message });
    const send = (method: 'post' | 'put' | 'patch' | 'delete', path: string, options: Parameters<APIRequestContext['post']>[1], status?: number | number[], message?: RegExp) =>
      cases.push({ name: `${method.toUpperCase()} ${path.slice(0, 100)} ${String(options?.headers?.['content-type'] ?? '')}`, send: () => req[method](path, options), status, message });

    // Ranges on every readings route and page (these were 500: "e.to.getTime is not a function").
    const badRanges = ['from=yesterday&to=2026-01-01T00:00:00Z', 'from=2026-01-01T00:00:00Z&to=soon', 'from=2026-01-01T00:00:00Z', 'to=2026-01-01T00:00:00Z', 'from=x&to=y', 'from=&to=2026-01-01T00:00:00Z', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'range=12y', 'from=2026-13-45T99:99:99Z&to=2026-01-01T00:00:00Z', 'from=1e309&to=NaN'];
    for (const range of badRanges) {
      for (const path of ['/api/readings/devices/some-device', '/api/readings/fleet', '/api/readings/flags', '/api/readings/export']) get(`${path}?${range}`, 400);
      get(`/readings?${range}`, 200);
      get(`/readings/some-device?${range}`, [200, 404]);
    }
    // NUL bytes in ids, searches and groups (these were 500: PostgreSQL 22021).
    const nulPaths = [
      `/api/devices?q=a${NUL}`, `/api/devices?group=a${NUL}`, `/api/certificates?q=${NUL}`, `/api/certificates?group=${NUL}x`, `/api/certificates/${NUL}`, `/api/certificates/a${NUL}b`,
      `/api/users?q=${NUL}`, `/api/users/${NUL}`, `/api/custom-csrs?q=${NUL}`, `/api/custom-csrs/${NUL}`, `/api/custom-csrs/${NUL}/csr`, `/api/bulk/jobs/${NUL}`,
      `/api/readings/devices/${NUL}`, `/api/readings/fleet?group=${NUL}`, `/api/readings/fleet?device=${NUL}`, `/api/readings/flags?device=${NUL}`, `/api/readings/export?group=${NUL}`,
      `/api/ca?kind=${NUL}`, `/api/alerts/summary?x=${NUL}`, `/api/me?${NUL}=1`,
      `/devices?q=${NUL}`, `/devices?group=${NUL}`, `/certificates?q=${NUL}`, `/certificates/${NUL}`, `/users?q=${NUL}`, `/custom-csrs?q=${NUL}`, `/custom-csrs/${NUL}`, `/readings?group=${NUL}`,
      `/readings/${NUL}`, `/readings?device=${NUL}`, `/devices/bulk?job=${NUL}`, `/audit?q=${NUL}`, `/alerts?q=${NUL}`, `/devices/${NUL}`,
    ];
    for (const path of nulPaths) get(path, 400, /NUL byte/);
    for (const [method, path] of [
      ['put', `/api/readings/groups/${NUL}/limits`], ['put', `/api/readings/devices/${NUL}/limits`], ['post', `/api/certificates/${NUL}/revoke`], ['post', `/api/certificates/${NUL}/reactivate`],
      ['patch', `/api/users/${NUL}`], ['delete', `/api/custom-csrs/${NUL}`], ['post', `/api/bulk/jobs/${NUL}/retry`], ['post', `/api/bulk/jobs/${NUL}/process`],
    ] as const) send(method, path, { data: {} }, 400, /NUL byte/);
    // NUL bytes inside JSON bodies.
    const nulBodies: [string, 'post' | 'put' | 'patch', object][] = [
      ['/api/users', 'post', { email: 'a\u0000@b.test', name: 'n', role: 'SUPPORT', password: 'long-enough-password' }],
      ['/api/users/some-user', 'patch', { password: 'long-enough\u0000password' }],
      ['/api/custom-csrs', 'post', { country: 'US', state: 'CA', locality: 'SF', organization: 'o\u0000', commonName: 'a.example.com', sans: ['a.example.com'] }],
      ['/api/enroll', 'post', { requestId: 'r', name: 'dev\u0000', group: 'g', commonName: 'c', validityDays: 30, keySource: 'csr', csrPem: 'x' }],
      ['/api/bulk/dry-run', 'post', { csv: 'name,group\nd\u0000,g\n' }],
      ['/api/bulk/jobs', 'post', { csv: 'name,group\nd\u0000,g\n' }],
      ['/api/doctor', 'post', { certificate: '-----BEGIN CERTIFICATE-----\u0000' }],
      ['/api/readings/groups/lab/limits', 'put', { minTemperature: 1, maxTemperature: 2, note: '\u0000' }],
      ['/api/certificates/some-cert/revoke', 'post', { reason: 'KEY_COMPROMISE', note: '\u0000' }],
      ['/api/readings/devices/some-device/limits', 'put', { minTemperature: null, maxTemperature: null, reportIntervalSec: null, x: ['\u0000'] }],
    ];
    for (const [path, method, body] of nulBodies) send(method, path, { data: body }, 400, /NUL byte/);
    // Ids over 64 characters (the revoke one was an uncaught ZodError), and blank ones.
    for (const [method, path] of [
      ['post', `/api/certificates/${long}/revoke`], ['post', `/api/certificates/${long}/reactivate`], ['get', `/api/certificates/${long}`], ['patch', `/api/users/${long}`], ['get', `/api/custom-csrs/${long}`],
      ['get', `/api/bulk/jobs/${long}`], ['get', `/api/readings/devices/${long}`], ['put', `/api/readings/devices/${long}/limits`], ['put', `/api/readings/groups/${'g'.repeat(101)}/limits`], ['post', `/api/certificates/%20%20/revoke`],
    ] as const) {
      if (method === 'get') get(path, 400);
      else send(method, path, { data: { reason: 'KEY_COMPROMISE', role: 'ADMIN', minTemperature: 1, maxTemperature: 2, reportIntervalSec: null } }, 400);
    }
    // Bodies that are not JSON, not objects, or too large.
    const bodyRoutes: ['post' | 'put' | 'patch', string][] = [
      ['post', '/api/users'], ['patch', '/api/users/some-user'], ['post', '/api/custom-csrs'], ['post', '/api/enroll'], ['post', '/api/bulk/dry-run'], ['post', '/api/bulk/jobs'], ['post', '/api/doctor'],
      ['put', '/api/readings/groups/lab/limits'], ['put', '/api/readings/devices/some-device/limits'], ['post', '/api/certificates/some-cert/revoke'],
    ];
    for (const [method, path] of bodyRoutes) {
      // Raw bytes: Playwright would send a string as a JSON string.
      send(method, path, { headers: { 'content-type': 'application/json' }, data: Buffer.from('{"broken":') }, 400, /not valid JSON/);
      send(method, path, { headers: { 'content-type': 'text/plain' }, data: Buffer.from('{}') }, 415);
      send(method, path, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: Buffer.from('a=1') }, 415);
      send(method, path, { headers: { 'content-type': 'application/json' }, data: Buffer.from('[1,2,3]') }, [400, 404, 422]);
      send(method, path, { headers: { 'content-type': 'application/json' }, data: Buffer.from('null') }, [400, 404, 422]);
      if (!path.startsWith('/api/bulk')) send(method, path, { headers: { 'content-type': 'application/json' }, data: JSON.stringify({ pad: huge }) }, 413, /larger than 1 MB/);
    }
    // Paging and sorting nonsense is read leniently (defaults), never a 500.
    for (const query of ['page=-1', 'page=1e309', 'perPage=100000', 'sort=__proto__', 'dir=sideways', `q=${'z'.repeat(5000)}`, 'page=1&page=2', 'status=%E0%A4%A']) {
      for (const path of ['/api/devices', '/api/certificates', '/api/users', '/api/custom-csrs', '/devices', '/certificates']) get(`${path}?${query}`, [200, 400]);
    }
    // Server actions: over 1 MB refused before Next parses them (was 500).
    cases.push({
      name: 'server action over 1 MB',
      send: () => req.post('/users', { headers: { 'next-action': '7f00000000000000000000000000000000000000', 'content-type': 'text/plain;charset=UTF-8' }, data: huge }),
      status: 413,
      message: /larger than 1 MB/,
    });

    expect(cases.length).toBeGreaterThanOrEqual(150);
    const failures: string[] = [];
    for (const c of cases) {
      const response = await c.send();
      const status = response.status();
      const body = await response.text();
      const wanted = c.status === undefined ? undefined : Array.isArray(c.status) ? c.status : [c.status];
      if (status >= 500 || (wanted && !wanted.includes(status)) || (c.message && !c.message.test(body))) failures.push(`${c.name} → ${status} ${body.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
    await admin.context.close();
  });
});

test.describe('sessions that end', () => {
  async function newUserSession(browser: Browser, admin: APIRequestContext, role: RoleName = 'SUPPORT') {
    const email = uniqueEmail(`session-${role.toLowerCase()}`);
    const created = await admin.post('/api/users', { data: { email, name: 'Session Person', role, password: DEMO_PASSWORD } });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, email, 'Session Person');
    return { id, email, context, page, cookies: await context.storageState() };
  }

  /** A fresh client holding only a copy of the old cookies: what someone who stole them would have. */
  async function replay(browser: Browser, cookies: Awaited<ReturnType<BrowserContext['storageState']>>) {
    const context = await browser.newContext({ storageState: cookies });
    const status = (await context.request.get('/api/me')).status();
    await context.close();
    return status;
  }

  test('[SUPPORT][SESSION]: after sign-out the old cookie is refused; an ADMIN’s password reset, disable and role change end sessions; re-enabling revives none', async ({ browser }) => {
    const admin = await sessionFor(browser, 'ADMIN');

    const signedOut = await newUserSession(browser, admin.request);
    expect(await replay(browser, signedOut.cookies)).toBe(200);
    await signedOut.page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect(signedOut.page).toHaveURL(/\/signin/);
    expect(await replay(browser, signedOut.cookies)).toBe(401);

    const reset = await newUserSession(browser, admin.request);
    expect((await admin.request.patch(`/api/users/${reset.id}`, { data: { password: 'a-brand-new-password' } })).status()).toBe(200);
    expect(await replay(browser, reset.cookies)).toBe(401);
    expect((await reset.context.request.get('/api/me')).status()).toBe(401);

    const disabled = await newUserSession(browser, admin.request);
    expect((await admin.request.patch(`/api/users/${disabled.id}`, { data: { disabled: true } })).status()).toBe(200);
    expect(await replay(browser, disabled.cookies)).toBe(401);
    expect((await admin.request.patch(`/api/users/${disabled.id}`, { data: { disabled: false } })).status()).toBe(200);
    expect(await replay(browser, disabled.cookies)).toBe(401);

    const promoted = await newUserSession(browser, admin.request);
    expect((await admin.request.patch(`/api/users/${promoted.id}`, { data: { role: 'MANAGER' } })).status()).toBe(200);
    expect(await replay(browser, promoted.cookies)).toBe(401);

    // Signing in again works at once.
    await signInAs(disabled.page, disabled.email, 'Session Person');
    for (const s of [signedOut, reset, disabled, promoted]) await s.context.close();
    await admin.context.close();
  });
});

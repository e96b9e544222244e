/**
 * The local Cloudflare REST API: a plain node:http server answering under /client/v4 the way
 * api.cloudflare.com does (envelope, status codes, auth and rate-limit behaviour), so the official
 * SDK cannot tell the difference. The routes live per resource in api/; emulator-only routes live
 * outside /client/v4 under /emulator/.
 */
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { clientCertificateRoutes } from './api/client-certificates';
import { customCsrRoutes } from './api/custom-csrs';
import { customHostnameRoutes } from './api/custom-hostnames';
import { hostnameAssociationRoutes } from './api/hostname-associations';
import { readJsonBody, send, sendError, type Route } from './api/http';
import type { EmulatorConfig } from './config';
import * as E from './errors';
import { ApiError } from './errors';
import { RateLimiter, seededRandom } from './rate-limit';
import type { EmulatorStore } from './store';

export const API_PREFIX = '/client/v4';

export interface ApiServerOptions {
  store: EmulatorStore;
  /** One line per request (method, path, status, ms). Never receives credentials. */
  log?: (line: string) => void;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createApiServer(opts: ApiServerOptions) {
  const { store } = opts;
  const limiter = new RateLimiter();
  /** Counters for tests and benchmarks: how many /client/v4 requests came in and how many were faulted. */
  const stats = { requests: 0, injectedErrors: 0, droppedConnections: 0 };
  let rng: () => number = Math.random;
  let rngSeed: number | undefined;
  const dice = () => {
    const seed = store.config.faults.seed;
    if (seed !== rngSeed) {
      rngSeed = seed;
      rng = seed === undefined ? Math.random : seededRandom(seed);
    }
    return rng();
  };

  const routes: Route[] = [
    ...clientCertificateRoutes(store),
    ...customCsrRoutes(store),
    ...customHostnameRoutes(store),
    ...hostnameAssociationRoutes(store),
  ];

  function match(segments: string[]): { route: Route; params: Record<string, string> } | undefined {
    for (const route of routes) {
      if (route.pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const p = route.pattern[i];
        if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(segments[i]);
        else if (p !== segments[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  /**
   * Cloudflare's authentication order: API token (Authorization: Bearer) or Global API key
   * (X-Auth-Email + X-Auth-Key). Returns the rate-limit bucket name of the credential.
   * @see https://developers.cloudflare.com/fundamentals/api/get-started/keys/
   */
  function authenticate(req: IncomingMessage): string {
    const authz = req.headers.authorization;
    const email = req.headers['x-auth-email'];
    const key = req.headers['x-auth-key'];
    if (typeof authz === 'string' && authz !== '') {
      const m = /^Bearer ([\x21-\x7e]+)$/.exec(authz.trim());
      if (!m) throw E.badAuthorizationFormat();
      if (!safeEqual(m[1], store.apiToken)) throw E.invalidToken();
      return 'token';
    }
    if (typeof key === 'string' || typeof email === 'string') {
      if (typeof key !== 'string' || typeof email !== 'string' || !key || !email) throw E.missingAuth();
      const chain: E.ErrorItem[] = [];
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) chain.push({ code: 6102, message: 'Invalid format for X-Auth-Email header' });
      if (!/^[0-9a-f]{37}$/.test(key)) chain.push({ code: 6103, message: 'Invalid format for X-Auth-Key header' });
      if (chain.length) throw E.invalidHeaders(chain);
      if (!safeEqual(email.toLowerCase(), store.apiEmail.toLowerCase()) || !safeEqual(key, store.apiKey)) throw E.unknownKey();
      return `key:${email.toLowerCase()}`;
    }
    throw E.missingAuth();
  }

  async function handleEmulatorRoute(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<number> {
    const pem = (text: string) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return 200;
    };
    if (req.method === 'GET' && pathname === '/emulator/ca/zone.pem') return pem(store.zoneCaCertPem());
    if (req.method === 'GET' && pathname === '/emulator/ca/public.pem') return pem(store.publicCaCertPem());
    if (req.method === 'GET' && pathname === '/emulator/stats') {
      // Counts only (no credentials): what a test of certfleet's rate budget checks from another process.
      send(res, 200, { success: true, errors: [], messages: [], result: { ...stats, rateLimit: limiter.stats() } });
      return 200;
    }
    if (req.method === 'GET' && pathname === '/emulator/health') {
      send(res, 200, { success: true, errors: [], messages: [], result: { ok: true, zone_id: store.zoneId } });
      return 200;
    }
    const admin: Record<string, () => Promise<unknown>> = {
      'POST /emulator/reset': async () => {
        store.reset();
        limiter.reset();
        rngSeed = undefined;
        return { reset: true };
      },
      'GET /emulator/config': async () => store.config,
      'POST /emulator/settle': async () => ({ settled: store.settlePending() }),
      'POST /emulator/config': async () => {
        const patch = (await readJsonBody(req)) as Partial<EmulatorConfig>;
        const cfg = store.updateConfig(patch);
        if ('rateLimit' in patch) limiter.reset();
        rngSeed = undefined;
        return cfg;
      },
    };
    const handler = admin[`${req.method} ${pathname}`];
    if (!handler) {
      sendError(res, E.noRoute(pathname, false));
      return 400;
    }
    authenticate(req);
    send(res, 200, { success: true, errors: [], messages: [], result: await handler() });
    return 200;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (pathname.startsWith('/emulator/')) return handleEmulatorRoute(req, res, pathname);
    if (pathname !== API_PREFIX && !pathname.startsWith(`${API_PREFIX}/`)) {
      sendError(res, E.noRoute(pathname, false));
      return 400;
    }

    stats.requests++;
    // Faults strike before anything is handled, as a failing gateway would: nothing changes, so a retry is safe.
    const faults = store.config.faults;
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.dropRate > 0 && dice() < faults.dropRate) {
      stats.droppedConnections++;
      req.socket.destroy();
      return 0;
    }
    if (faults.errorRate > 0 && dice() < faults.errorRate) {
      stats.injectedErrors++;
      if (dice() < 0.5) {
        sendError(res, E.internalError());
        return 500;
      }
      // Cloudflare's own gateway errors are HTML pages, not the JSON envelope.
      const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>';
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return 502;
    }

    const rel = pathname.slice(API_PREFIX.length);
    const segments = rel.split('/').filter(Boolean);
    const found = match(segments);
    const routeError = () => E.noRoute(rel, segments[0] === 'zones' || segments[0] === 'accounts');
    if (!found) throw routeError();
    const method = (req.method ?? 'GET').toUpperCase();
    const handler = found.route.methods[method];
    if (!handler) throw E.methodNotAllowed(method);
    const { zone, account } = found.params;
    const idLike = /^[0-9a-f]{32}$/;
    if (zone !== undefined && zone !== store.zoneId && !idLike.test(zone)) throw routeError();
    if (account !== undefined && account !== store.accountTag && !idLike.test(account)) throw routeError();

    const credential = authenticate(req);
    const rl = store.config.rateLimit;
    let rlHeaders: Record<string, string> = {};
    if (rl) {
      const d = limiter.take(credential, rl);
      if (!d.allowed) throw E.rateLimited(d.retryAfterSeconds);
      rlHeaders = {
        ratelimit: `"default";r=${d.remaining};t=${d.resetSeconds}`,
        'ratelimit-policy': `"default";q=${rl.limit};w=${Math.round(rl.windowMs / 1000)}`,
      };
    }
    if ((zone !== undefined && zone !== store.zoneId) || (account !== undefined && account !== store.accountTag)) {
      throw E.authenticationError();
    }

    const body = method === 'GET' || method === 'DELETE' ? {} : await readJsonBody(req);
    const reply = await handler({ req, query: url.searchParams, params: found.params, body });
    const status = reply.status ?? 200;
    send(
      res,
      status,
      {
        ...(reply.top ?? {}),
        result: reply.result,
        success: true,
        errors: [],
        messages: [],
        ...(reply.resultInfo ? { result_info: reply.resultInfo } : {}),
      },
      rlHeaders,
    );
    return status;
  }

  const server = http.createServer((req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((err: unknown) => {
        if (err instanceof ApiError) {
          sendError(res, err);
          return err.status;
        }
        opts.log?.(`emulator: internal error on ${req.method} ${req.url?.split('?')[0]}: ${(err as Error)?.stack ?? String(err)}`);
        if (!res.headersSent) sendError(res, E.internalError());
        else res.destroy();
        return 500;
      })
      .then((status) => {
        if (status) opts.log?.(`${req.method} ${req.url?.split('?')[0]} ${status} ${Date.now() - started}ms`);
      });
  });
  // Idle keep-alive connections stay open until the client closes them. With Node's default (the server
  // closes after 5 s, telling clients "timeout=5", who close a little before), a client whose timers run
  // late on a busy machine reuses a socket the server has just closed and gets ECONNRESET: a race of the
  // two processes' clocks, not anything Cloudflare or certfleet does. server.close() still ends idle sockets.
  server.keepAliveTimeout = 0;

  return {
    server,
    resetRateLimits: () => limiter.reset(),
    stats: () => ({ ...stats, rateLimit: limiter.stats() }),
  };
}
/**
 * A real OpenID Connect provider on loopback (the `oidc-provider` package, certified by the OpenID
 * Foundation), for the e2e stack and `npm start`: a few accounts with a `groups` claim, its own login
 * and consent pages, and one confidential client registered for certfleet's callback. certfleet talks to
 * it exactly as to a company's provider: discovery, the code flow with PKCE, signed ID tokens, userinfo.
 * Dev and test only: accounts live in memory, keys are made at each start.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Account } from 'oidc-provider';

export interface DevOidcAccount {
  /** What the person types on the provider's login page. */
  login: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

/** The groups certfleet maps to roles in the e2e stack and `npm start` (OIDC_ROLE_MAP below). */
export const DEV_OIDC_ROLE_MAP = 'fleet-admins=ADMIN,fleet-support=SUPPORT,fleet-managers=MANAGER';

/**
 * One account per role, and one in no mapped group (certfleet refuses it). Their emails are not the
 * password demo logins', so signing in through SSO makes new users rather than linking those.
 */
export const DEV_OIDC_ACCOUNTS: readonly DevOidcAccount[] = [
  { login: 'olivia', password: 'certfleet-sso', email: 'olivia.admin@sso.certfleet.local', name: 'Olivia Admin', groups: ['fleet-admins', 'fleet-managers', 'everyone'] },
  { login: 'sid', password: 'certfleet-sso', email: 'sid.support@sso.certfleet.local', name: 'Sid Support', groups: ['fleet-support', 'everyone'] },
  { login: 'mo', password: 'certfleet-sso', email: 'mo.manager@sso.certfleet.local', name: 'Mo Manager', groups: ['fleet-managers', 'everyone'] },
  { login: 'nina', password: 'certfleet-sso', email: 'nina.nogroup@sso.certfleet.local', name: 'Nina No-Group', groups: ['everyone', 'contractors'] },
];

export interface DevOidcProvider {
  issuer: string;
  /** The environment certfleet needs to use this provider (the secret is this run's own, random). */
  env: Record<string, string>;
  accounts: readonly DevOidcAccount[];
  stop(): Promise<void>;
}

/**
 * Starts the provider on 127.0.0.1:`port` (0: a free one) with certfleet at `appUrl` as its one client.
 * @param accounts who can sign in (default DEV_OIDC_ACCOUNTS); `sub` is the login, stable across restarts.
 */
export async function startDevOidcProvider(opts: { appUrl: string; port?: number; name?: string; accounts?: readonly DevOidcAccount[] }): Promise<DevOidcProvider> {
  const accounts = opts.accounts ?? DEV_OIDC_ACCOUNTS;
  const clientId = 'certfleet';
  const clientSecret = randomBytes(24).toString('base64url');

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'dev-signing-key', use: 'sig', alg: 'RS256' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${opts.appUrl}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    adapter: MemoryAdapter,
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    async findAccount(_ctx: unknown, id: string): Promise<Account | undefined> {
      const account = accounts.find((a) => a.login === id);
      if (!account) return undefined;
      return {
        accountId: account.login,
        claims: () => ({ sub: account.login, email: account.email, email_verified: true, name: account.name, preferred_username: account.login, groups: account.groups }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // Plain http on loopback: SameSite=None cookies would need Secure, so the provider's own cookies are Lax.
    cookies: { keys: [randomBytes(32).toString('base64url')], long: { sameSite: 'lax' }, short: { sameSite: 'lax' } },
    ttl: { AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 3600, Session: 86_400, Grant: 86_400 },
    renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('[oidc-dev] server error:', error instanceof Error ? error.message : error));
  const oidc = provider.callback();

  handle = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) return oidc(req, res);
    interaction(provider, accounts, req, res, match[2]).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Sign-in error', `<p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`));
    });
  };

  return {
    issuer,
    accounts,
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_NAME: opts.name ?? 'Local SSO',
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_ROLE_CLAIM: 'groups',
      OIDC_ROLE_MAP: DEV_OIDC_ROLE_MAP,
    },
    stop: () => stopServer(server),
  };
}

/** The provider's login and consent pages (GET), and what their forms post. */
async function interaction(provider: Provider, accounts: readonly DevOidcAccount[], req: IncomingMessage, res: ServerResponse, step: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const client = escapeHtml(details.params.client_id);
    if (details.prompt.name === 'login') {
      return html(res, page('Sign in to Local SSO', `
        <p>certfleet (<code>${client}</code>) asks you to sign in.</p>
        <form method="post" action="/interaction/${details.uid}/login">
          <label>Username <input name="login" autocomplete="username" required autofocus></label>
          <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
          <button type="submit">Sign in</button>
        </form>
        <form method="post" action="/interaction/${details.uid}/abort"><button type="submit">Cancel</button></form>`));
    }
    const scopes = [...(details.prompt.details.missingOIDCScope ?? [])].map((s) => `<li>${escapeHtml(s)}</li>`).join('');
    return html(res, page('Allow access', `
      <p><code>${client}</code> would like to read:</p><ul>${scopes}</ul>
      <form method="post" action="/interaction/${details.uid}/confirm"><button type="submit" autofocus>Allow</button></form>
      <form method="post" action="/interaction/${details.uid}/abort"><button type="submit">Deny</button></form>`));
  }

  const body = new URLSearchParams(await readBody(req));
  if (step === 'login') {
    const account = accounts.find((a) => a.login === body.get('login'));
    if (!account || account.password !== body.get('password')) {
      return html(res, page('Sign in to Local SSO', `<p role="alert">Wrong username or password.</p><p><a href="/interaction/${details.uid}">Try again</a></p>`), 401);
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.login } }, { mergeWithLastSubmission: false });
  }
  if (step === 'confirm') {
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('no signed-in account for this consent');
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scope] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scope.join(' '));
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, { mergeWithLastSubmission: false });
}

type Stored = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

/**
 * The provider's sessions, codes and grants, in this process's memory (lost at a restart, which a dev
 * provider may). oidc-provider's built-in equivalent prints a warning at every start; this one is quiet.
 */
class MemoryAdapter {
  private static readonly rows = new Map<string, Stored>();
  constructor(private readonly model: string) {}
  private key(id: string): string {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: Stored): Promise<void> {
    MemoryAdapter.rows.set(this.key(id), payload);
  }
  async find(id: string): Promise<Stored | undefined> {
    return MemoryAdapter.rows.get(this.key(id));
  }
  async findByUserCode(userCode: string): Promise<Stored | undefined> {
    return [...MemoryAdapter.rows].find(([k, v]) => k.startsWith(`${this.model}:`) && v.userCode === userCode)?.[1];
  }
  async findByUid(uid: string): Promise<Stored | undefined> {
    return [...MemoryAdapter.rows].find(([k, v]) => k.startsWith(`${this.model}:`) && v.uid === uid)?.[1];
  }
  async consume(id: string): Promise<void> {
    const row = MemoryAdapter.rows.get(this.key(id));
    if (row) row.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    MemoryAdapter.rows.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [k, v] of MemoryAdapter.rows) if (v.grantId === grantId) MemoryAdapter.rows.delete(k);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > 10_000) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function html(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.4rem}button{margin:.6rem .4rem 0 0;padding:.4rem .9rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
}

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

import { z } from 'zod';
import { ROLES, type RoleName } from './permissions';

/*
 * OpenID Connect single sign-on, configured by environment only (docs/security.md, "Single sign-on").
 * Plain functions of an env object, without Next or server-only imports: the app (lib/auth/options.ts),
 * the start-up check (instrumentation.ts), `npm start` and the tests all read the same rules. The client
 * secret stays in the returned config for next-auth's token request; nothing here prints or returns it
 * anywhere else (describeSso() is what a page or a log may show).
 */

type Env = Record<string, string | undefined>;

export interface SsoConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's label: "Sign in with <name>". */
  name: string;
  /** Where in the ID token / userinfo the groups are: a claim name, or a dotted path (`realm_access.roles`). */
  roleClaim: string;
  /** Group (or claim value) → certfleet role. */
  roleMap: ReadonlyMap<string, RoleName>;
  /** The scopes asked for: `openid email profile` by default; some providers send groups only for a `groups` scope. */
  scopes: string;
}

export interface AuthConfig {
  /** null when OIDC is not configured (no OIDC_* variable set). */
  sso: SsoConfig | null;
  /** False when CERTFLEET_PASSWORD_SIGNIN=off: no password form, and the server refuses credentials. */
  passwordSignIn: boolean;
}

/** Why the sign-in settings cannot be used, one line per problem, naming the variable to fix. */
export class AuthConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Sign-in is misconfigured:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AuthConfigError';
  }
}

/** Highest first: when several groups map, the most powerful role among them wins. */
const ROLE_RANK: readonly RoleName[] = ['ADMIN', 'SUPPORT', 'MANAGER'];

const OIDC_VARIABLES = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_NAME', 'OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAP', 'OIDC_SCOPES'] as const;

/** A variable that must be set: the same message whether it is missing or blank. */
const required = (message: string) => z.string({ error: message }).min(1, message);

const ssoEnvSchema = z.object({
  OIDC_ISSUER: required('OIDC_ISSUER is required: the provider’s issuer URL (its /.well-known/openid-configuration lives under it)')
    .pipe(z.url({ protocol: /^https?$/, error: 'OIDC_ISSUER must be an http(s) URL, e.g. https://login.example.com/realms/acme' }))
    .transform((url) => url.replace(/\/+$/, '')),
  OIDC_CLIENT_ID: required('OIDC_CLIENT_ID is required: the client id certfleet is registered under at the provider'),
  // The secret is never echoed in a message, even when it is the thing that is wrong.
  OIDC_CLIENT_SECRET: required('OIDC_CLIENT_SECRET is required: the client secret the provider issued for certfleet'),
  OIDC_NAME: z.string().max(40, 'OIDC_NAME must be at most 40 characters (it labels the sign-in button)').default('single sign-on'),
  OIDC_ROLE_CLAIM: z.string().regex(/^[\w:/.-]+$/, 'OIDC_ROLE_CLAIM must be a claim name or a dotted path such as realm_access.roles').default('groups'),
  OIDC_ROLE_MAP: required('OIDC_ROLE_MAP is required: which groups become which role, e.g. fleet-admins=ADMIN,fleet-support=SUPPORT'),
  OIDC_SCOPES: z
    .string()
    .transform((scopes) => scopes.split(/[\s,]+/).filter(Boolean).join(' '))
    .refine((scopes) => scopes.split(' ').includes('openid'), 'OIDC_SCOPES must include openid (e.g. "openid email profile groups")')
    .default('openid email profile'),
});

/**
 * `OIDC_ROLE_MAP`: `group=ROLE` pairs separated by commas (`fleet-admins=ADMIN,fleet-support=SUPPORT`).
 * The last `=` splits a pair, so a group may itself contain `=`. Roles are ADMIN, SUPPORT, MANAGER.
 */
export function parseRoleMap(raw: string): { map: Map<string, RoleName>; problems: string[] } {
  const map = new Map<string, RoleName>();
  const problems: string[] = [];
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const group = at > 0 ? entry.slice(0, at).trim() : '';
    const role = at > 0 ? entry.slice(at + 1).trim().toUpperCase() : '';
    if (!group || !role) {
      problems.push(`OIDC_ROLE_MAP entry "${entry}" is not group=ROLE`);
    } else if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`OIDC_ROLE_MAP entry "${entry}": "${role}" is not a role (use ${ROLES.join(', ')})`);
    } else if (map.has(group) && map.get(group) !== role) {
      problems.push(`OIDC_ROLE_MAP maps "${group}" twice (${map.get(group)} and ${role})`);
    } else {
      map.set(group, role as RoleName);
    }
  }
  if (!map.size && !problems.length) problems.push('OIDC_ROLE_MAP maps no group to a role');
  return { map, problems };
}

/**
 * Reads and checks the sign-in settings. OIDC is off when no OIDC_* variable is set; once any is, the
 * issuer, client id, secret and role map are all required.
 * @throws AuthConfigError listing every problem, each naming its variable (never the secret's value).
 */
export function readAuthConfig(env: Env = process.env): AuthConfig {
  const problems: string[] = [];
  const passwordSetting = (env.CERTFLEET_PASSWORD_SIGNIN ?? '').trim().toLowerCase();
  if (!['', 'on', 'off'].includes(passwordSetting)) problems.push('CERTFLEET_PASSWORD_SIGNIN must be "on" or "off"');
  const passwordSignIn = passwordSetting !== 'off';

  let sso: SsoConfig | null = null;
  if (OIDC_VARIABLES.some((key) => env[key]?.trim())) {
    // Blank counts as unset: `OIDC_NAME=` keeps the default label, `OIDC_CLIENT_ID=` is missing.
    const parsed = ssoEnvSchema.safeParse(Object.fromEntries(OIDC_VARIABLES.map((key) => [key, env[key]?.trim() || undefined])));
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => issue.message));
    } else {
      const roles = parseRoleMap(parsed.data.OIDC_ROLE_MAP);
      problems.push(...roles.problems);
      sso = {
        issuer: parsed.data.OIDC_ISSUER,
        clientId: parsed.data.OIDC_CLIENT_ID,
        clientSecret: parsed.data.OIDC_CLIENT_SECRET,
        name: parsed.data.OIDC_NAME,
        roleClaim: parsed.data.OIDC_ROLE_CLAIM,
        roleMap: roles.map,
        scopes: parsed.data.OIDC_SCOPES,
      };
    }
  }
  if (!passwordSignIn && !sso && !problems.some((p) => p.startsWith('OIDC_'))) {
    problems.push('CERTFLEET_PASSWORD_SIGNIN=off needs single sign-on configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ROLE_MAP): otherwise nobody could sign in');
  }
  if (problems.length) throw new AuthConfigError(problems);
  return { sso, passwordSignIn };
}

/** What may be shown about the settings (sign-in page, start-up line): never the client secret. */
export function describeSso(config: SsoConfig): { name: string; issuer: string; clientId: string; scopes: string; roleClaim: string; roleMap: string } {
  return {
    name: config.name,
    issuer: config.issuer,
    clientId: config.clientId,
    scopes: config.scopes,
    roleClaim: config.roleClaim,
    roleMap: [...config.roleMap].map(([group, role]) => `${group}=${role}`).join(','),
  };
}

/** The values at `path` (a claim name, or dotted for nested claims): a list, one string, or a space/comma-separated string. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  // A claim whose name itself has dots (`https://example.com/groups`) is read whole before the path is walked.
  let value: unknown = path in claims ? claims[path] : path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), claims);
  if (typeof value === 'string') value = value.split(/[\s,]+/);
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/**
 * The role the claims earn: the highest role any of the user's groups maps to, or null when none maps
 * (then no account is made, and an existing one is refused).
 */
export function roleFromClaims(claims: Record<string, unknown>, config: Pick<SsoConfig, 'roleClaim' | 'roleMap'>): RoleName | null {
  const mapped = new Set(claimValues(claims, config.roleClaim).map((group) => config.roleMap.get(group)).filter((r): r is RoleName => !!r));
  return ROLE_RANK.find((role) => mapped.has(role)) ?? null;
}

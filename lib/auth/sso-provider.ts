import 'server-only';
import type { User } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { SSO_REFUSAL_MESSAGES, signInWithSso } from './sso';
import type { SsoConfig } from './sso-config';

/** next-auth's id for the OIDC provider: its callback is /api/auth/callback/oidc (register that at the provider). */
export const SSO_PROVIDER_ID = 'oidc';

type Claims = Record<string, unknown>;

/**
 * The OIDC provider for next-auth v4: discovery from the issuer, the authorization code flow with PKCE,
 * state and nonce, the client secret sent in the token request only (client_secret_basic). The claims
 * read are the ID token's merged with the userinfo endpoint's: providers put groups in either.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export function oidcProvider(config: SsoConfig): OAuthConfig<Claims> {
  return {
    id: SSO_PROVIDER_ID,
    name: config.name,
    type: 'oauth',
    wellKnown: `${config.issuer}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authorization: { params: { scope: config.scopes } },
    checks: ['pkce', 'state', 'nonce'],
    idToken: true,
    userinfo: {
      // openid-client refuses a userinfo answer whose `sub` differs from the ID token's.
      async request({ tokens, client }) {
        // next-auth passes openid-client's TokenSet here (its type says only the plain parameters).
        const tokenSet = tokens as Parameters<typeof client.userinfo>[0] & { claims(): Claims };
        const fromToken = tokenSet.claims();
        const fromUserinfo = tokens.access_token ? ((await client.userinfo(tokenSet)) as Claims) : {};
        return { ...fromToken, ...fromUserinfo };
      },
    },
    // Who the provider says this is; the signIn callback turns it into a certfleet user (or refuses).
    profile(claims) {
      return { id: String(claims.sub), email: typeof claims.email === 'string' ? claims.email : null, name: typeof claims.name === 'string' ? claims.name : null } as User;
    },
  };
}

/**
 * next-auth's signIn callback for an OIDC sign-in: resolves the claims to a certfleet user (linked, made
 * just in time, role re-read from the groups; lib/auth/sso.ts), or sends the browser back to the sign-in
 * page with why it was refused. next-auth (v4, no adapter) hands this same `user` object on to the jwt
 * callback, so it is filled in place with the database user: the session token then carries the user's
 * id, role and session version exactly as a password sign-in's does.
 */
export async function ssoSignIn(config: SsoConfig, user: User, claims: Claims | undefined): Promise<true | string> {
  try {
    const result = await signInWithSso(claims ?? {}, config);
    if (!result.ok) return `/signin?error=${result.reason}`;
    Object.assign(user, result.user);
    return true;
  } catch (error) {
    console.error(`[auth] single sign-on failed: ${error instanceof Error ? error.message : String(error)}`);
    return '/signin?error=SsoFailed';
  }
}

export { SSO_REFUSAL_MESSAGES };

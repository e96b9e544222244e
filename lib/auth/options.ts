import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { authenticate, clientAddress } from './authenticate';
import { safeCallbackPath } from './callback-url';
import { signInClient, signOutEverywhere, startSession } from './sessions';
import { readAuthConfig } from './sso-config';
import { oidcProvider, SSO_PROVIDER_ID, ssoSignIn } from './sso-provider';

// Checked once when the server starts (instrumentation.ts stops it with the list of problems first).
const { sso, passwordSignIn } = readAuthConfig();

/**
 * next-auth v4 with email + password and a JWT session. The token holds who the user is, their session
 * version at sign-in and the id of the sign-in's `UserSession` row; lib/auth/session.ts re-reads both on
 * each request, so a role change or a disabled account takes effect at once, and a token from before a
 * sign-out, password reset, disable or role change (which bump the version), or whose session was ended
 * from a session list, is refused rather than living out its 12 hours (lib/auth/sessions.ts). Single
 * sign-on (lib/auth/sso-provider.ts) ends in the same kind of token, so the same rules hold for it;
 * CERTFLEET_PASSWORD_SIGNIN=off leaves the password provider out altogether.
 */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/signin', signOut: '/signout', error: '/signin' },
  providers: [
    ...(passwordSignIn
      ? [
          CredentialsProvider({
            id: 'credentials',
            name: 'Email and password',
            credentials: {
              email: { label: 'Email', type: 'email' },
              password: { label: 'Password', type: 'password' },
            },
            authorize: (credentials, req) => authenticate(credentials?.email, credentials?.password, clientAddress(req?.headers)),
          }),
        ]
      : []),
    ...(sso ? [oidcProvider(sso)] : []),
  ],
  events: {
    // Signing out ends every session of the user (all browsers), not only this cookie: a copied token dies too.
    async signOut({ token }) {
      await signOutEverywhere(token);
    },
  },
  logger: {
    // A cookie that does not decrypt (tampered, or from another secret) is a visitor signed out: one line, no stack.
    error(code, metadata) {
      if (code === 'JWT_SESSION_ERROR') console.warn('[auth] refused a session cookie that does not decrypt (tampered or from another secret): treated as signed out');
      else console.error(`[auth] ${code}: ${metadata instanceof Error ? metadata.message : ((metadata as { message?: string })?.message ?? '')}`);
    },
    warn(code) {
      console.warn(`[auth] ${code}`);
    },
    debug() {},
  },
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider === SSO_PROVIDER_ID) return sso ? ssoSignIn(sso, user, profile as Record<string, unknown> | undefined) : false;
      return account?.provider === 'credentials' && passwordSignIn;
    },
    async jwt({ token, user }) {
      if (user) {
        token.id = user.id;
        token.email = user.email;
        token.name = user.name;
        token.role = user.role;
        token.sv = user.sessionVersion ?? 0;
        // Each sign-in gets a session row (browser, address, last seen) that its user or an ADMIN can end.
        token.sid = await startSession(user.id, await signInClient());
      }
      return token;
    },
    session({ session, token }) {
      if (token.id && token.role) {
        session.user = { id: token.id, email: token.email ?? '', name: token.name ?? '', role: token.role };
        session.sessionVersion = token.sv ?? 0;
        session.sessionId = token.sid;
      }
      return session;
    },
    redirect({ url, baseUrl }) {
      const base = new URL(baseUrl);
      let target: URL;
      try {
        target = new URL(url, base);
      } catch {
        return baseUrl;
      }
      if (target.origin !== base.origin) return baseUrl;
      return new URL(safeCallbackPath(`${target.pathname}${target.search}${target.hash}`), base).toString();
    },
  },
};

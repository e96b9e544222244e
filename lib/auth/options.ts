import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { authenticate } from './authenticate';
import { safeCallbackPath } from './callback-url';

/**
 * next-auth v4 with email + password and a JWT session (no session table). The token holds who the
 * user is; lib/auth/session.ts re-reads the user on each request so a role change or a disabled
 * account takes effect at once rather than when the token expires.
 */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/signin', signOut: '/signout', error: '/signin' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      authorize: (credentials) => authenticate(credentials?.email, credentials?.password),
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.id = user.id;
        token.email = user.email;
        token.name = user.name;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      if (token.id && token.role) {
        session.user = { id: token.id, email: token.email ?? '', name: token.name ?? '', role: token.role };
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

import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/options';

// The one route handler not made with route() (lib/server/route.ts): it is how a visitor signs in (and out).
const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };

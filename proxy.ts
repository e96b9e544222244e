import { getToken } from 'next-auth/jwt';
import { type NextRequest, NextResponse } from 'next/server';

/**
 * Sends a visitor without a session to the sign-in page, remembering where they were going. Only an
 * optimistic check for a friendlier redirect: pages, actions and route handlers each check the
 * session and permission themselves (lib/auth/session.ts).
 */
export async function proxy(request: NextRequest) {
  // A POST here is a server action: let it through so the action itself refuses it, with its message.
  if (request.method !== 'GET' && request.method !== 'HEAD') return NextResponse.next();
  const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const signIn = new URL('/signin', request.url);
  const target = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (target !== '/') signIn.searchParams.set('callbackUrl', target);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Pages only: API routes answer 401 JSON themselves, and the sign-in pages and assets are public.
  matcher: ['/((?!api/|_next/|signin|signout|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};

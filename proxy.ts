import { getToken } from 'next-auth/jwt';
import { type NextRequest, NextResponse } from 'next/server';
import { contentSecurityPolicy } from '@/lib/server/headers';
import { crossOriginReason, declaredLengthOver, isStateChanging, MAX_BODY_BYTES, tooLargeMessage, urlHasNul } from '@/lib/server/request-guard';

/**
 * Runs before every request Next answers (docs/security.md):
 * 1. A NUL byte in the URL is a 400 (no page or route could store or look it up).
 * 2. A state-changing request (a server action, a route handler, next-auth's forms) from another site is
 *    a 403, and a server action over 1 MB a 413: refused before Next parses the action, which would
 *    otherwise answer both with a 500. Route handlers check the same again in route().
 * 3. A page gets a Content-Security-Policy with a fresh nonce (Next puts it on its own scripts; the root
 *    layout on the theme script), and a visitor without a session is sent to the sign-in page,
 *    remembering where they were going. That redirect is only an optimistic check for friendliness:
 *    pages, actions and route handlers each check the session and permission themselves.
 */
export async function proxy(request: NextRequest) {
  const api = request.nextUrl.pathname.startsWith('/api/');
  if (urlHasNul(request.nextUrl)) {
    return refuse(api, 400, 'BAD_REQUEST', 'The address contains a NUL byte (%00), which no id, search or name may hold.');
  }
  if (isStateChanging(request.method)) {
    const crossOrigin = crossOriginReason(request.headers);
    if (crossOrigin) return refuse(api, 403, 'CROSS_ORIGIN', crossOrigin);
    // Route handlers set their own limit (bulk uploads take more); everything else here is a server action or a form.
    if (!api && declaredLengthOver(request.headers, MAX_BODY_BYTES)) return refuse(api, 413, 'PAYLOAD_TOO_LARGE', tooLargeMessage());
    return NextResponse.next();
  }
  if (api || isPublicFile(request.nextUrl.pathname)) return NextResponse.next();

  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV !== 'production');
  const publicPage = /^\/(signin|signout)(\/|$)/.test(request.nextUrl.pathname);
  if (!publicPage) {
    const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
    if (!token) {
      const signIn = new URL('/signin', request.url);
      const target = `${request.nextUrl.pathname}${request.nextUrl.search}`;
      if (target !== '/') signIn.searchParams.set('callbackUrl', target);
      return NextResponse.redirect(signIn);
    }
  }
  // Next reads the nonce from the request's CSP header while rendering; the browser from the answer's.
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

function isPublicFile(pathname: string): boolean {
  // Icons and the manifest are fetched by the browser without a session (the sign-in page's tab, a home-screen icon).
  return /^\/(favicon\.ico|icon\.svg|robots\.txt|apple-touch-icon\.png|icon-(192|512|maskable-512)\.png|manifest\.webmanifest)$/.test(pathname);
}

/** A refusal: the API's JSON error body under /api, a line of text for a page or a server action. */
function refuse(api: boolean, status: number, code: string, message: string): NextResponse {
  if (api) return NextResponse.json({ error: { code, message } }, { status, headers: { 'cache-control': 'no-store' } });
  return new NextResponse(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

export const config = {
  // Everything but Next's own build files: pages, server actions and route handlers alike.
  matcher: ['/((?!_next/static|_next/image).*)'],
};

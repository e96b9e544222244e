import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Card, CardContent, CardHeader } from '@/components/ui/card';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { SIGN_IN_FAILED } from '@/lib/auth/errors';
import { getCurrentUser } from '@/lib/auth/session';
import { SSO_REFUSAL_MESSAGES } from '@/lib/auth/sso';
import { readAuthConfig } from '@/lib/auth/sso-config';
import { firstParam } from '@/lib/validation/table-search-params';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(firstParam(params, 'callbackUrl'));
  if (await getCurrentUser()) redirect(callbackPath);
  const { sso, passwordSignIn } = readAuthConfig();

  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold tracking-tight">Sign in</h1>
        <p className="text-sm text-muted-foreground">Manage your fleet&apos;s client certificates.</p>
      </CardHeader>
      <CardContent>
        {/* next-auth sends the browser back here with ?error= when a sign-in fails without JavaScript, or single sign-on is refused. */}
        <SignInForm
          callbackPath={callbackPath}
          error={signInErrorMessage(firstParam(params, 'error'))}
          sso={sso ? { name: sso.name } : null}
          passwordSignIn={passwordSignIn}
        />
      </CardContent>
    </Card>
  );
}

/** What to say for next-auth's `?error=` code: an SSO refusal's own reason, else one message per kind of sign-in. */
function signInErrorMessage(code: string | undefined): string | null {
  if (!code) return null;
  if (Object.hasOwn(SSO_REFUSAL_MESSAGES, code)) return SSO_REFUSAL_MESSAGES[code as keyof typeof SSO_REFUSAL_MESSAGES];
  // next-auth's own codes for a provider round trip that broke (discovery, state/PKCE check, token exchange).
  if (/^OAuth|^Callback$|^AccessDenied$|^Configuration$/.test(code)) return SSO_REFUSAL_MESSAGES.SsoFailed;
  return SIGN_IN_FAILED;
}

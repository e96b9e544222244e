'use client';

import { LoaderCircle, LogIn } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { type FormEvent, useRef, useState, useTransition } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { SIGN_IN_FAILED } from '@/lib/auth/errors';

/** The OIDC provider's id in next-auth (lib/auth/sso-provider.ts; that module is server-only). */
const SSO_PROVIDER_ID = 'oidc';

export function SignInForm({
  callbackPath,
  error: initialError,
  sso,
  passwordSignIn,
}: {
  callbackPath: string;
  error: string | null;
  /** Single sign-on's button label, when it is configured. */
  sso: { name: string } | null;
  /** False when CERTFLEET_PASSWORD_SIGNIN=off: the server refuses passwords, so no form is offered. */
  passwordSignIn: boolean;
}) {
  const router = useRouter();
  const passwordRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(initialError);
  const [pending, startTransition] = useTransition();
  const [redirecting, setRedirecting] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    startTransition(async () => {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      });
      if (!result?.ok || result.error) {
        // Whatever went wrong (unknown email, wrong password, disabled, locked), the answer is the same.
        setError(SIGN_IN_FAILED);
        if (passwordRef.current) {
          passwordRef.current.value = '';
          passwordRef.current.focus();
        }
        return;
      }
      router.replace(callbackPath);
      router.refresh();
    });
  }

  function onSingleSignOn() {
    setError(null);
    setRedirecting(true);
    // next-auth sends the browser to the provider; it comes back to /api/auth/callback/oidc, then to callbackPath.
    void signIn(SSO_PROVIDER_ID, { callbackUrl: callbackPath });
  }

  return (
    <div className="flex flex-col gap-4">
      {sso ? (
        <Button type="button" variant={passwordSignIn ? 'outline' : 'primary'} className="w-full" disabled={redirecting} onClick={onSingleSignOn} autoFocus={!passwordSignIn}>
          {redirecting ? <LoaderCircle aria-hidden className="animate-spin" /> : <LogIn aria-hidden />}
          Sign in with {sso.name}
        </Button>
      ) : null}
      {sso && passwordSignIn ? (
        <p className="flex items-center gap-3 text-xs text-muted-foreground before:h-px before:flex-1 before:bg-border after:h-px after:flex-1 after:bg-border">or with your password</p>
      ) : null}
      {passwordSignIn ? (
        <form onSubmit={onSubmit} className="flex flex-col gap-4">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="email">Email</Label>
            <Input id="email" name="email" type="email" autoComplete="username" required autoFocus aria-invalid={!!error || undefined} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="password">Password</Label>
            <Input
              ref={passwordRef}
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={!!error || undefined}
            />
          </div>
          <FormMessage message={error ?? undefined} />
          <Button type="submit" disabled={pending} className="w-full">
            {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
            {pending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      ) : (
        <FormMessage message={error ?? undefined} />
      )}
    </div>
  );
}

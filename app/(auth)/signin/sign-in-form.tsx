'use client';

import { LoaderCircle } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { type FormEvent, useRef, useState, useTransition } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { SIGN_IN_FAILED } from '@/lib/auth/errors';

export function SignInForm({ callbackPath, failed }: { callbackPath: string; failed: boolean }) {
  const router = useRouter();
  const passwordRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(failed ? SIGN_IN_FAILED : null);
  const [pending, startTransition] = useTransition();

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

  return (
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
  );
}

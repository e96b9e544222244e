import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Card, CardContent, CardHeader } from '@/components/ui/card';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { getCurrentUser } from '@/lib/auth/session';
import { firstParam } from '@/lib/validation/table-search-params';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(firstParam(params, 'callbackUrl'));
  if (await getCurrentUser()) redirect(callbackPath);

  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold tracking-tight">Sign in</h1>
        <p className="text-sm text-muted-foreground">Manage your fleet&apos;s client certificates.</p>
      </CardHeader>
      <CardContent>
        {/* next-auth sends the browser back here with ?error= when a sign-in fails without JavaScript. */}
        <SignInForm callbackPath={callbackPath} failed={!!firstParam(params, 'error')} />
      </CardContent>
    </Card>
  );
}

import type { Metadata } from 'next';
import { Card, CardContent, CardHeader } from '@/components/ui/card';
import { SignOutButton } from '@/components/shell/sign-out-button';

export const metadata: Metadata = { title: 'Sign out' };

export default function SignOutPage() {
  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold tracking-tight">Sign out</h1>
        <p className="text-sm text-muted-foreground">Signing out ends your sessions in every browser; you will need to sign in again to come back.</p>
      </CardHeader>
      <CardContent>
        <SignOutButton className="w-full" variant="primary" />
      </CardContent>
    </Card>
  );
}
